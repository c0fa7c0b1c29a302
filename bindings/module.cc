// rewardguard._C: the private extension module under the `rewardguard`
// Python package. Thin by design: it converts Python inputs to the C++ types,
// releases the GIL around the work, and hands back numpy arrays that own
// their buffers. Every decision is made by the C++ library; the Python
// package (python/rewardguard/) builds the user-facing API on top.
//
//   from rewardguard import _C
//   policy = _C.load_policy("coding-sandbox")
//   core = _C.Guard(policy, num_envs=64, mode="enforce")   # guard/guard.h
//   out = core.evaluate_batch(tools, arguments, env_ids)  # a StepResult, see _C.pyi
//
// Errors: absl::Status from loading becomes ValueError (InvalidArgument: the
// message starts with file:line:column), FileNotFoundError (NotFound) or
// RuntimeError; argument mistakes are ValueError / TypeError.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "rewardguard/audit/replay.h"
#include "rewardguard/core/action.h"
#include "rewardguard/core/tool_call.h"
#include "rewardguard/eval/evaluator.h"
#include "rewardguard/guard/guard.h"
#include "rewardguard/eval/verdict.h"
#include "rewardguard/policy/loader.h"
#include "rewardguard/classify/observation.h"
#include "rewardguard/sandbox/judged_run.h"
#include "rewardguard/sandbox/sandbox.h"
#ifdef REWARDGUARD_PYTHON_WITH_TORCH
#include "rewardguard/shaping/lagrangian.h"
#include "rewardguard/shaping/shaping.h"
#endif

namespace py = pybind11;

namespace rewardguard {
namespace {

// Thrown for NotFound; translated to FileNotFoundError once the GIL is held
// again (Raise may run with it released).
struct NotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void Raise(const absl::Status& status) {
  const std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
      throw py::value_error(message);
    case absl::StatusCode::kNotFound:
      throw NotFound(message);
    default:
      throw std::runtime_error(message);
  }
}

template <typename T>
T ValueOrRaise(absl::StatusOr<T> value) {
  if (!value.ok()) Raise(value.status());
  return *std::move(value);
}

// The compiled policy, shared by every Guard made from it.
struct PyPolicy {
  PolicyPtr policy;
};

// A numpy array that owns a moved-in std::vector (no copy).
template <typename T>
py::array_t<T> ToArray(std::vector<T>&& data, std::vector<py::ssize_t> shape) {
  auto* owned = new std::vector<T>(std::move(data));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, owned->data(), free_when_done);
}

// UTF-8 view of a Python str (cached inside the object) or bytes; valid while
// the object lives.
std::string_view ViewOf(PyObject* obj, const char* what, size_t index) {
  if (PyUnicode_Check(obj)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(obj, &size);
    if (data == nullptr) throw py::error_already_set();
    return {data, static_cast<size_t>(size)};
  }
  if (PyBytes_Check(obj)) {
    return {PyBytes_AS_STRING(obj), static_cast<size_t>(PyBytes_GET_SIZE(obj))};
  }
  throw py::type_error(std::string(what) + "[" + std::to_string(index) +
                       "] must be str or bytes, got " +
                       py::str(py::type::handle_of(obj)).cast<std::string>());
}

// Format of a string argument: JSON text when it starts (after blanks) with
// `{` or `"`, else the raw value of a one-argument tool (a shell command).
ToolCall::Format SniffFormat(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return (c == '{' || c == '"') ? ToolCall::Format::kJson : ToolCall::Format::kRaw;
  }
  return ToolCall::Format::kRaw;
}

Mode ParseMode(const std::string& mode) {
  if (mode == "enforce") return Mode::kEnforce;
  if (mode == "shadow") return Mode::kShadow;
  throw py::value_error("mode must be `enforce` or `shadow`, got `" + mode + "`");
}

// A numpy bool array that owns a moved-in std::vector<uint8_t> of 0/1.
py::array ToBoolArray(std::vector<uint8_t>&& data, std::vector<py::ssize_t> shape) {
  auto* owned = new std::vector<uint8_t>(std::move(data));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<uint8_t>*>(p); });
  return py::array(py::dtype::of<bool>(), std::move(shape), owned->data(), free_when_done);
}

// guard/guard.h's StepResult as numpy arrays (they own the columns, moved
// out of the guard's scratch result) and the flagged events' rules and
// reasons. See _C.pyi: StepResult.
struct PyStepResult {
  py::array call_actions, call_penalties, call_costs, call_blocked;
  py::array actions, penalties, costs, terminated, blocked;
  py::array flagged;
  py::list flagged_rules, flagged_reasons;

  static PyStepResult From(StepResult& r) {
    const auto n = static_cast<py::ssize_t>(r.size());
    const auto b = static_cast<py::ssize_t>(r.num_envs);
    const auto c = static_cast<py::ssize_t>(r.num_categories);
    PyStepResult out;
    const size_t k = r.flagged.size();
    out.flagged_rules = py::list(k);
    out.flagged_reasons = py::list(k);
    for (size_t j = 0; j < k; ++j) {
      const Verdict& v = r.verdicts[r.flagged[j]];
      py::tuple ids(v.rules.size());
      for (size_t i = 0; i < v.rules.size(); ++i) ids[i] = py::str(v.rules[i].data(), v.rules[i].size());
      out.flagged_rules[j] = std::move(ids);
      out.flagged_reasons[j] = py::str(v.reason);
    }
    out.call_actions = ToArray(std::move(r.actions), {n});
    out.call_penalties = ToArray(std::move(r.penalties), {n});
    out.call_costs = ToArray(std::move(r.costs), {n, c});
    out.call_blocked = ToBoolArray(std::move(r.blocked), {n});
    out.flagged = ToArray(std::move(r.flagged), {static_cast<py::ssize_t>(k)});
    out.actions = ToArray(std::move(r.envs.action), {b});
    out.penalties = ToArray(std::move(r.envs.penalty), {b});
    out.costs = ToArray(std::move(r.envs.costs), {b, c});
    out.terminated = ToBoolArray(std::move(r.envs.terminate), {b});
    out.blocked = ToBoolArray(std::move(r.envs.blocked), {b});
    return out;
  }
};

using EnvIds = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;

// guard/guard.h's Guard, converted to and from Python: the inputs become
// ToolCall views (no copy) or observation lines, env ids are checked so that
// a mistake is a ValueError rather than a blocking verdict, and the result
// becomes a StepResult of numpy arrays. One call at a time: the GIL is
// released while the Guard works, so threads sharing a Guard (a trainer's
// env worker pool) take `mu_` first, waiting for it without the GIL so that
// the holder can take the GIL back.
class PyGuard {
 public:
  // Held for the whole of a call that touches the Guard or the buffers.
  std::unique_lock<std::mutex> Lock() const {
    std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
    py::gil_scoped_release release;
    lock.lock();
    return lock;
  }

  PyGuard(const PyPolicy& policy, int num_envs, const std::string& mode,
          const std::optional<std::string>& audit_path, const std::string& run_name)
      : guard_(Create(policy, num_envs, mode, audit_path, run_name)) {}

  // See _C.pyi: Guard.evaluate_batch.
  PyStepResult EvaluateBatch(const py::list& tools, const py::list& arguments, EnvIds env_ids) {
    const auto lock = Lock();
    const size_t n = tools.size();
    if (arguments.size() != n || static_cast<size_t>(env_ids.size()) != n || env_ids.ndim() != 1) {
      throw py::value_error("tools, arguments and env_ids must have the same length N (env_ids 1-D); got " +
                            std::to_string(n) + ", " + std::to_string(arguments.size()) + ", " +
                            std::to_string(env_ids.size()));
    }
    calls_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      calls_[i].tool = ViewOf(tools[i].ptr(), "tools", i);
      calls_[i].arguments = ViewOf(arguments[i].ptr(), "arguments", i);
      calls_[i].format = SniffFormat(calls_[i].arguments);
    }
    const auto envs = CheckedEnvs(env_ids);
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = guard_.EvaluateBatch(calls_, envs, &result_);
    }
    if (!status.ok()) Raise(status);
    return PyStepResult::From(result_);
  }

  // See _C.pyi: Guard.observe_batch.
  PyStepResult ObserveBatch(const py::list& observations, EnvIds env_ids) {
    const auto lock = Lock();
    const size_t n = observations.size();
    if (static_cast<size_t>(env_ids.size()) != n || env_ids.ndim() != 1) {
      throw py::value_error("observations and env_ids must have the same length N (env_ids 1-D); got " +
                            std::to_string(n) + ", " + std::to_string(env_ids.size()));
    }
    lines_.resize(n);
    for (size_t i = 0; i < n; ++i) lines_[i] = ViewOf(observations[i].ptr(), "observations", i);
    const auto envs = CheckedEnvs(env_ids);
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = guard_.ObserveBatch(lines_, envs, &result_);
    }
    if (!status.ok()) Raise(status);
    return PyStepResult::From(result_);
  }

  void Reset(EnvIds env_ids) {
    const auto lock = Lock();
    const auto envs = CheckedEnvs(env_ids, "env id ");
    for (int32_t env : envs) Check(guard_.Reset(env));
  }
  void ResetAll() {
    const auto lock = Lock();
    Check(guard_.ResetAll());
  }
  void EndStep() {
    const auto lock = Lock();
    guard_.EndStep();
  }

  // wait=false: commit now without waiting (what an episode end does).
  void FlushAudit(bool wait) {
    const auto lock = Lock();
    if (!wait) return Check(guard_.RequestFlushAudit());
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = guard_.FlushAudit();
    }
    Check(status);
  }
  void CloseAudit() {
    const auto lock = Lock();
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = guard_.CloseAudit();
    }
    Check(status);
  }

  void SetWeights(py::array_t<float, py::array::c_style | py::array::forcecast> weights) {
    const auto lock = Lock();
    Check(guard_.SetWeights(absl::MakeConstSpan(weights.data(), weights.size())));
  }
  py::array_t<float> weights() const {
    const auto lock = Lock();
    return py::array_t<float>(static_cast<py::ssize_t>(guard_.weights().size()), guard_.weights().data());
  }
  // costs [n, C] and the unweighted penalties [n] of a step -> costs @ w [n].
  py::array_t<float> WeightedPenalties(
      py::array_t<float, py::array::c_style | py::array::forcecast> costs,
      py::array_t<float, py::array::c_style | py::array::forcecast> penalties) const {
    const auto c = static_cast<py::ssize_t>(guard_.num_categories());
    if (costs.ndim() != 2 || costs.shape(1) != c || penalties.ndim() != 1 ||
        penalties.shape(0) != costs.shape(0)) {
      throw py::value_error("costs must be [n, " + std::to_string(c) + "] and penalties [n]");
    }
    std::vector<float> out(static_cast<size_t>(costs.shape(0)));
    const auto lock = Lock();
    guard_.WeightedPenalties(absl::MakeConstSpan(costs.data(), costs.size()),
                             absl::MakeConstSpan(penalties.data(), penalties.size()),
                             absl::MakeSpan(out));
    return ToArray(std::move(out), {costs.shape(0)});
  }
  // In place on a contiguous float32/float64 array [n]; costs [>= n, C].
  template <typename T>
  void ShapeRewards(py::array_t<T, py::array::c_style> rewards,
                    py::array_t<float, py::array::c_style | py::array::forcecast> costs,
                    double scale, double clip) const {
    const auto c = static_cast<py::ssize_t>(guard_.num_categories());
    if (rewards.ndim() != 1 || costs.ndim() != 2 || costs.shape(1) != c ||
        costs.shape(0) < rewards.shape(0)) {
      throw py::value_error("rewards must be [n] and costs [>= n, " + std::to_string(c) + "]");
    }
    const auto lock = Lock();
    guard_.ShapeRewards(absl::MakeSpan(rewards.mutable_data(), rewards.size()),
                        absl::MakeConstSpan(costs.data(), costs.size()), scale, clip);
  }

  int CheckedEnv(int env) const {
    if (env < 0 || env >= guard_.num_envs()) throw py::value_error("env out of range");
    return env;
  }
  const Guard& guard() const { return guard_; }
  Guard& mutable_guard() { return guard_; }

 private:
  static Guard Create(const PyPolicy& policy, int num_envs, const std::string& mode,
                      const std::optional<std::string>& audit_path, const std::string& run_name) {
    if (audit_path && audit_path->empty()) throw py::value_error("audit path is empty");
    return ValueOrRaise(Guard::Create(policy.policy, {.num_envs = num_envs,
                                                      .mode = ParseMode(mode),
                                                      .audit_path = audit_path.value_or(""),
                                                      .run_name = run_name}));
  }
  static void Check(const absl::Status& status) {
    if (!status.ok()) Raise(status);
  }
  absl::Span<const int32_t> CheckedEnvs(const EnvIds& env_ids, const char* what = "env_ids[") const {
    const int32_t* envs = env_ids.data();
    const size_t n = static_cast<size_t>(env_ids.size());
    const int num_envs = guard_.num_envs();
    for (size_t i = 0; i < n; ++i) {
      if (envs[i] < 0 || envs[i] >= num_envs) {
        const bool indexed = std::string_view(what) == "env_ids[";
        throw py::value_error(std::string(what) + (indexed ? std::to_string(i) + "] = " : "") +
                              std::to_string(envs[i]) + " is out of range [0, " +
                              std::to_string(num_envs) + ")");
      }
    }
    return absl::MakeConstSpan(envs, n);
  }

  Guard guard_;
  mutable std::mutex mu_;
  // Reused between calls.
  std::vector<ToolCall> calls_;
  std::vector<std::string_view> lines_;
  StepResult result_;
};


// sandbox/sandbox.h's Sandbox: runs a command with every connect and exec
// judged by a Guard's env, the GIL released while the program runs; the
// result is a dict (rewardguard.SandboxResult wraps it).
class PySandbox {
 public:
  PySandbox(const std::optional<std::string>& workspace, double timeout, int64_t memory_bytes,
            int64_t max_processes, int64_t max_output_bytes, const std::vector<std::string>& read_only,
            const std::vector<std::string>& environment, bool gpu)
      : sandbox_(ValueOrRaise(Sandbox::Create({.workspace = workspace.value_or(""),
                                               .read_only_paths = read_only,
                                               .environment = environment,
                                               .timeout = absl::Seconds(timeout),
                                               .max_output_bytes = max_output_bytes,
                                               .memory_bytes = memory_bytes,
                                               .max_processes = max_processes,
                                               .gpu = gpu}))) {}

  static std::pair<bool, std::string> Available() {
    const absl::Status s = Sandbox::Available();
    return {s.ok(), std::string(s.message())};
  }

  // `command`: a str (run with /bin/sh -c) or a list of str (argv).
  // judge_text=False: the text was judged already (a wrapper in front).
  py::dict Run(PyGuard& guard, int env, const py::object& command, bool judge_text,
               const std::string& stdin_data) {
    env = guard.CheckedEnv(env);
    std::vector<std::string> argv;
    std::string text;
    if (py::isinstance<py::str>(command)) {
      text = command.cast<std::string>();
      argv = {"/bin/sh", "-c", text};
    } else {
      argv = command.cast<std::vector<std::string>>();
      if (argv.empty()) throw py::value_error("command must name a program");
    }
    const auto lock = guard.Lock();  // the run's judge records into the Guard
    Guard& g = guard.mutable_guard();
    absl::StatusOr<JudgedRun> r;
    {
      py::gil_scoped_release release;
      // stdin is an option of the sandbox: a run with its own gets a copy.
      std::optional<Sandbox> with_stdin;
      if (!stdin_data.empty()) {
        SandboxOptions o = sandbox_.options();
        o.stdin_data = stdin_data;
        with_stdin.emplace(ValueOrRaise(Sandbox::Create(std::move(o))));
      }
      const Sandbox* sandbox = with_stdin ? &*with_stdin : &sandbox_;
      if (!judge_text) {
        r = RunObserved(*sandbox, g, env, argv);
      } else if (!text.empty()) {
        r = RunShellCommand(*sandbox, g, env, text);
      } else {
        r = RunProgram(*sandbox, g, env, argv);
      }
    }
    if (!r.ok()) Raise(r.status());
    return ToDict(g.policy(), *r);
  }

 private:
  static py::dict VerdictDict(const CompiledPolicy& policy, const Verdict& v) {
    py::dict d;
    d["action"] = std::string(ActionName(v.action));
    d["penalty"] = v.penalty;
    py::list rules, caps;
    for (std::string_view r : v.rules) rules.append(py::str(r.data(), r.size()));
    for (CapabilityId c : v.capabilities) caps.append(policy.capability_name(c));
    d["rules"] = rules;
    d["capabilities"] = caps;
    d["reason"] = v.reason;
    return d;
  }

  static py::dict ToDict(const CompiledPolicy& policy, const JudgedRun& j) {
    py::dict d = VerdictDict(policy, j.verdict);
    const RunResult& r = j.run;
    d["ran"] = j.ran;
    d["static"] = VerdictDict(policy, j.static_verdict);
    d["exit_code"] = r.exit_code;
    d["signal"] = r.signal;
    d["timed_out"] = r.timed_out;
    d["terminated"] = r.terminated;
    d["oom_killed"] = r.oom_killed;
    d["pids_limit_hit"] = r.pids_limit_hit;
    d["stdout"] = py::bytes(r.stdout_text);
    d["stderr"] = py::bytes(r.stderr_text);
    d["stdout_bytes"] = r.stdout_bytes;
    d["stderr_bytes"] = r.stderr_bytes;
    d["limits"] = r.limits;
    d["wall_ms"] = absl::ToDoubleMilliseconds(r.wall);
    d["observations_not_kept"] = r.observations_not_kept;
    py::list observations;
    for (const Observed& o : r.observations) {
      py::dict od = VerdictDict(policy, o.verdict);
      od["observation"] = ObservationJson(o.observation);
      od["prevented"] = o.prevented;
      od["pid"] = o.pid;
      od["at_ms"] = absl::ToDoubleMilliseconds(o.at);
      observations.append(od);
    }
    d["observations"] = observations;
    return d;
  }

  Sandbox sandbox_;
};

}  // namespace
}  // namespace rewardguard

PYBIND11_MODULE(_C, m) {
  using namespace rewardguard;
  m.doc() = "rewardguard's C++ core (private; use the `rewardguard` package)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const NotFound& e) {
      PyErr_SetString(PyExc_FileNotFoundError, e.what());
    }
  });

  m.attr("ACTIONS") = py::make_tuple("allow", "warn", "penalize", "block", "terminate");
#ifdef REWARDGUARD_PYTHON_WITH_TORCH
  m.attr("WITH_TORCH") = true;
  m.def("has_cuda_kernels", &shaping::HasCudaKernels);
#else
  m.attr("WITH_TORCH") = false;
  m.def("has_cuda_kernels", [] { return false; });
#endif

  py::class_<PyPolicy>(m, "Policy")
      .def_property_readonly("name", [](const PyPolicy& p) { return p.policy->name(); })
      .def_property_readonly("description", [](const PyPolicy& p) { return p.policy->description(); })
      .def_property_readonly("version", [](const PyPolicy& p) { return p.policy->version(); })
      .def_property_readonly("source_name", [](const PyPolicy& p) { return p.policy->source_name(); })
      .def_property_readonly("source_text", [](const PyPolicy& p) { return p.policy->source_text(); })
      .def_property_readonly("default_action",
                             [](const PyPolicy& p) { return std::string(ActionName(p.policy->default_action())); })
      .def_property_readonly("categories", [](const PyPolicy& p) {
        return std::vector<std::string>(p.policy->categories().begin(), p.policy->categories().end());
      })
      .def_property_readonly("rule_ids", [](const PyPolicy& p) {
        std::vector<std::string> ids;
        for (const Rule& r : p.policy->rules()) ids.push_back(r.id);
        return ids;
      })
      .def_property_readonly("budget_ids", [](const PyPolicy& p) {
        std::vector<std::string> ids;
        for (const Budget& r : p.policy->budgets()) ids.push_back(r.id);
        return ids;
      })
      .def_property_readonly("flow_ids", [](const PyPolicy& p) {
        std::vector<std::string> ids;
        for (const Flow& r : p.policy->flows()) ids.push_back(r.id);
        return ids;
      })
      .def_property_readonly("actions", [](const PyPolicy& p) {
        // Every rule, budget and flow id -> the action it fires with.
        std::map<std::string, std::string> actions;
        auto add = [&](const Consequence& c) { actions[c.id] = std::string(ActionName(c.action)); };
        for (const Rule& r : p.policy->rules()) add(r);
        for (const Budget& b : p.policy->budgets()) add(b);
        for (const Flow& f : p.policy->flows()) add(f);
        return actions;
      })
      .def_property_readonly("capabilities", [](const PyPolicy& p) {
        std::vector<std::string> names;
        for (int i = 0; i < p.policy->num_capabilities(); ++i)
          names.push_back(p.policy->capability_name(static_cast<CapabilityId>(i)));
        return names;
      })
      .def_property_readonly("tools", [](const PyPolicy& p) {
        std::vector<std::string> names;
        for (const ToolSpec& t : p.policy->tools()) names.push_back(t.name);
        return names;
      });

  m.def("load_policy", [](const std::string& name_or_path) {
    return PyPolicy{ValueOrRaise(LoadPolicy(name_or_path))};
  }, py::arg("name_or_path"), py::call_guard<py::gil_scoped_release>());
  m.def("load_policy_text", [](const std::string& text, const std::string& source_name) {
    return PyPolicy{ValueOrRaise(LoadPolicyText(text, source_name))};
  }, py::arg("text"), py::arg("source_name") = "<string>", py::call_guard<py::gil_scoped_release>());
  m.def("builtin_policy_names", &BuiltinPolicyNames);

  py::class_<PyStepResult>(m, "StepResult")
      .def_readonly("call_actions", &PyStepResult::call_actions)
      .def_readonly("call_penalties", &PyStepResult::call_penalties)
      .def_readonly("call_costs", &PyStepResult::call_costs)
      .def_readonly("call_blocked", &PyStepResult::call_blocked)
      .def_readonly("actions", &PyStepResult::actions)
      .def_readonly("penalties", &PyStepResult::penalties)
      .def_readonly("costs", &PyStepResult::costs)
      .def_readonly("terminated", &PyStepResult::terminated)
      .def_readonly("blocked", &PyStepResult::blocked)
      .def_readonly("flagged", &PyStepResult::flagged)
      .def_readonly("flagged_rules", &PyStepResult::flagged_rules)
      .def_readonly("flagged_reasons", &PyStepResult::flagged_reasons);

  py::class_<PyGuard>(m, "Guard")
      .def(py::init<const PyPolicy&, int, const std::string&, const std::optional<std::string>&,
                    const std::string&>(),
           py::arg("policy"), py::arg("num_envs"), py::arg("mode") = "enforce",
           py::arg("audit_path") = py::none(), py::arg("run_name") = "python")
      .def("evaluate_batch", &PyGuard::EvaluateBatch, py::arg("tools"), py::arg("arguments"),
           py::arg("env_ids"))
      .def("observe_batch", &PyGuard::ObserveBatch, py::arg("observations"), py::arg("env_ids"))
      .def("reset", &PyGuard::Reset, py::arg("env_ids"))
      .def("reset_all", &PyGuard::ResetAll)
      .def("end_step", &PyGuard::EndStep)
      .def("flush_audit", &PyGuard::FlushAudit, py::arg("wait") = true)
      .def("close_audit", &PyGuard::CloseAudit)
      .def("set_weights", &PyGuard::SetWeights, py::arg("weights"))
      .def_property_readonly("weights", &PyGuard::weights)
      .def("weighted_penalties", &PyGuard::WeightedPenalties, py::arg("costs"), py::arg("penalties"))
      .def("shape_rewards", &PyGuard::ShapeRewards<float>, py::arg("rewards").noconvert(),
           py::arg("costs"), py::arg("scale"), py::arg("clip"))
      .def("shape_rewards", &PyGuard::ShapeRewards<double>, py::arg("rewards").noconvert(),
           py::arg("costs"), py::arg("scale"), py::arg("clip"))
      .def_property_readonly("has_audit", [](const PyGuard& g) { return g.guard().has_audit(); })
      .def_property_readonly("episodes", [](const PyGuard& g) {
        const auto lock = g.Lock();
        return g.guard().episodes();
      })
      .def_property_readonly("steps", [](const PyGuard& g) {
        const auto lock = g.Lock();
        std::vector<int64_t> steps(g.guard().num_envs());
        for (int e = 0; e < g.guard().num_envs(); ++e) steps[e] = g.guard().step(e);
        return steps;
      })
      .def_property_readonly("num_envs", [](const PyGuard& g) { return g.guard().num_envs(); })
      .def_property_readonly("num_categories", [](const PyGuard& g) { return g.guard().num_categories(); })
      .def_property_readonly("mode", [](const PyGuard& g) {
        return std::string(g.guard().mode() == Mode::kEnforce ? "enforce" : "shadow");
      })
      .def("budget_count", [](const PyGuard& g, int env, int budget) {
        const auto lock = g.Lock();
        g.CheckedEnv(env);
        if (budget < 0 || budget >= static_cast<int>(g.guard().policy().budgets().size()))
          throw py::value_error("budget out of range");
        return g.guard().evaluator().BudgetCount(env, budget);
      }, py::arg("env"), py::arg("budget"))
      .def("seen", [](const PyGuard& g, int env, const std::string& capability) {
        const auto lock = g.Lock();
        g.CheckedEnv(env);
        auto id = g.guard().policy().FindCapability(capability);
        if (!id) throw py::value_error("unknown capability `" + capability + "`");
        return g.guard().evaluator().Seen(env, *id);
      }, py::arg("env"), py::arg("capability"));

  // audit/replay.h's reader: what rewardguard.audit reads a trail with, so
  // that the database layout is known in C++ only.
  py::class_<AuditReader>(m, "AuditReader")
      .def(py::init([](const std::string& path) { return ValueOrRaise(AuditReader::Open(path)); }),
           py::arg("path"), py::call_guard<py::gil_scoped_release>())
      .def("find_runs", [](const AuditReader& r, const std::optional<std::string>& run) {
        // (id, name, events) of the runs named or numbered `run`; every run when None.
        std::vector<RunRow> rows = ValueOrRaise(r.Runs());
        std::vector<std::tuple<int64_t, std::string, int64_t>> out;
        if (!run) {
          for (const RunRow& row : rows) out.emplace_back(row.id, row.name, row.events);
          return out;
        }
        for (int64_t id : ValueOrRaise(r.FindRuns(*run)))
          for (const RunRow& row : rows)
            if (row.id == id) out.emplace_back(row.id, row.name, row.events);
        return out;
      }, py::arg("run") = py::none())
      .def("event_columns", [](const AuditReader& r, int64_t run) {
        // In the order written: env, episode, step int64 [E], violating bool
        // [E] (action not allow), and the cost categories of each violating
        // event [V].
        std::vector<int64_t> env, episode, step;
        std::vector<uint8_t> violating;
        std::vector<std::vector<std::string>> categories;
        absl::Status status;
        {
          py::gil_scoped_release release;
          status = r.ForEachRecord(run, [&](const DecisionRecord& record) {
            env.push_back(record.env);
            episode.push_back(record.episode);
            step.push_back(record.step);
            const bool bad = record.action != Action::kAllow;
            violating.push_back(bad);
            if (bad) {
              std::vector<std::string>& names = categories.emplace_back();
              for (const auto& [name, cost] : record.costs) names.push_back(name);
            }
            return true;
          });
        }
        if (!status.ok()) Raise(status);
        const auto e = static_cast<py::ssize_t>(env.size());
        py::dict out;
        out["env"] = ToArray(std::move(env), {e});
        out["episode"] = ToArray(std::move(episode), {e});
        out["step"] = ToArray(std::move(step), {e});
        out["violating"] = ToBoolArray(std::move(violating), {e});
        out["categories"] = py::cast(categories);
        return out;
      }, py::arg("run"))
      .def_property_readonly("path", &AuditReader::path);

  py::class_<PySandbox>(m, "Sandbox")
      .def(py::init<const std::optional<std::string>&, double, int64_t, int64_t, int64_t,
                    const std::vector<std::string>&, const std::vector<std::string>&, bool>(),
           py::arg("workspace") = py::none(), py::arg("timeout") = 60.0,
           py::arg("memory_bytes") = int64_t{2} << 30, py::arg("max_processes") = 256,
           py::arg("max_output_bytes") = 1 << 20, py::arg("read_only") = std::vector<std::string>{},
           py::arg("environment") = std::vector<std::string>{}, py::arg("gpu") = false)
      .def_static("available", &PySandbox::Available)
      .def("run", &PySandbox::Run, py::arg("guard"), py::arg("env"), py::arg("command"),
           py::arg("judge_text") = true, py::arg("stdin") = "");

#ifdef REWARDGUARD_PYTHON_WITH_TORCH
  using shaping::LagrangianController;
  py::class_<LagrangianController>(m, "LagrangianController")
      .def(py::init([](std::vector<double> limits, double kp, double ki, double kd, double alpha_p,
                       double alpha_d, double max_multiplier) {
             return ValueOrRaise(LagrangianController::Create(
                 std::move(limits), {.kp = kp, .ki = ki, .kd = kd, .alpha_p = alpha_p,
                                     .alpha_d = alpha_d, .max_multiplier = max_multiplier}));
           }),
           py::arg("cost_limits"), py::arg("kp") = 0.0, py::arg("ki") = 0.01, py::arg("kd") = 0.0,
           py::arg("alpha_p") = 0.95, py::arg("alpha_d") = 0.95,
           py::arg("max_multiplier") = std::numeric_limits<double>::infinity())
      .def("update", [](LagrangianController& c, std::vector<double> costs) {
        absl::Status s = c.Update(absl::MakeConstSpan(costs));
        if (!s.ok()) Raise(s);
      }, py::arg("episode_costs"))
      .def_property_readonly("multipliers", [](const LagrangianController& c) {
        return std::vector<double>(c.multipliers().data(), c.multipliers().data() + c.multipliers().size());
      })
      .def_property_readonly("cost_limits", &LagrangianController::cost_limits)
      .def_property_readonly("num_categories", &LagrangianController::num_categories)
      .def("save_state", &LagrangianController::SaveState)
      .def("restore_state", [](LagrangianController& c, std::vector<double> flat) {
        absl::Status s = c.RestoreState(absl::MakeConstSpan(flat));
        if (!s.ok()) Raise(s);
      }, py::arg("flat"));
#endif
}
