// rewardguard._C: the private extension module under the `rewardguard`
// Python package. Thin by design: it converts Python inputs to the C++ types,
// releases the GIL around the work, and hands back numpy arrays that own
// their buffers. Every decision is made by the C++ library; the Python
// package (python/rewardguard/) builds the user-facing API on top.
//
//   from rewardguard import _C
//   policy = _C.load_policy("coding-sandbox")
//   core = _C.GuardCore(policy, num_envs=64, mode="enforce")
//   out = core.evaluate_batch(tools, arguments, env_ids)  # see _C.pyi
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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "rewardguard/audit/record.h"
#include "rewardguard/audit/sqlite_sink.h"
#include "rewardguard/core/action.h"
#include "rewardguard/core/tool_call.h"
#include "rewardguard/eval/evaluator.h"
#include "rewardguard/eval/step.h"
#include "rewardguard/eval/verdict.h"
#include "rewardguard/policy/loader.h"
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

// The compiled policy, shared by every GuardCore made from it.
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

// Evaluator + per-step columns + optional audit sink: the state a Python
// Guard holds. Episode and step counters exist only to key audit records.
class GuardCore {
 public:
  GuardCore(const PyPolicy& policy, int num_envs, const std::string& mode,
            const std::optional<std::string>& audit_path, const std::string& run_name)
      : evaluator_(CheckedPolicy(policy), CheckedEnvs(num_envs), {.mode = ParseMode(mode)}),
        episode_(num_envs, 0),
        step_(num_envs, 0),
        batch_(evaluator_.shared_policy()) {
    if (audit_path) {
      sink_ = ValueOrRaise(SqliteSink::Open(
          *audit_path, RunInfo::ForPolicy(run_name, evaluator_.policy())));
    }
  }

  // See _C.pyi: GuardCore.evaluate_batch.
  py::tuple EvaluateBatch(const py::list& tools, const py::list& arguments,
                          py::array_t<int32_t, py::array::c_style | py::array::forcecast> env_ids) {
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
    const int32_t* envs = env_ids.data();
    const int num_envs = evaluator_.num_envs();
    for (size_t i = 0; i < n; ++i) {
      if (envs[i] < 0 || envs[i] >= num_envs) {
        throw py::value_error("env_ids[" + std::to_string(i) + "] = " + std::to_string(envs[i]) +
                              " is out of range [0, " + std::to_string(num_envs) + ")");
      }
    }
    const size_t c = evaluator_.policy().categories().size();
    std::vector<int8_t> actions(n);
    std::vector<float> penalties(n);
    std::vector<float> costs(n * c);
    std::vector<int64_t> flagged;
    absl::Status audit_status;
    {
      py::gil_scoped_release release;
      verdicts_.resize(n);
      evaluator_.EvaluateBatch(calls_, absl::MakeConstSpan(envs, n), absl::MakeSpan(verdicts_));
      CollectStep(evaluator_, verdicts_, absl::MakeConstSpan(envs, n), &step_columns_);
      for (size_t i = 0; i < n; ++i) {
        const Verdict& v = verdicts_[i];
        actions[i] = static_cast<int8_t>(v.action);
        penalties[i] = v.penalty;
        std::memcpy(costs.data() + i * c, v.costs.data(), c * sizeof(float));
        if (v.action != Action::kAllow) flagged.push_back(static_cast<int64_t>(i));
      }
      if (sink_ != nullptr) audit_status = Audit(envs, n);
    }
    if (!audit_status.ok()) Raise(audit_status);
    py::list rules(flagged.size());
    py::list reasons(flagged.size());
    for (size_t k = 0; k < flagged.size(); ++k) {
      const Verdict& v = verdicts_[flagged[k]];
      py::tuple ids(v.rules.size());
      for (size_t r = 0; r < v.rules.size(); ++r) {
        ids[r] = py::str(v.rules[r].data(), v.rules[r].size());
      }
      rules[k] = std::move(ids);
      reasons[k] = py::str(v.reason);
    }
    const auto b = static_cast<py::ssize_t>(num_envs);
    const auto nn = static_cast<py::ssize_t>(n);
    const auto cc = static_cast<py::ssize_t>(c);
    py::array_t<bool> terminated(b);
    std::memcpy(terminated.mutable_data(), step_columns_.terminate.data(),
                step_columns_.terminate.size());
    return py::make_tuple(
        ToArray(std::move(actions), {nn}), ToArray(std::move(penalties), {nn}),
        ToArray(std::move(costs), {nn, cc}),
        py::array_t<int8_t>(b, step_columns_.action.data()),
        py::array_t<float>(b, step_columns_.penalty.data()),
        py::array_t<float>({b, cc}, step_columns_.costs.data()), terminated,
        ToArray(std::move(flagged), {static_cast<py::ssize_t>(rules.size())}), rules,
        reasons);
  }

  void Reset(py::array_t<int32_t, py::array::c_style | py::array::forcecast> env_ids) {
    const int32_t* envs = env_ids.data();
    const py::ssize_t n = env_ids.size();
    for (py::ssize_t i = 0; i < n; ++i) {
      if (envs[i] < 0 || envs[i] >= evaluator_.num_envs()) {
        throw py::value_error("env id " + std::to_string(envs[i]) + " is out of range [0, " +
                              std::to_string(evaluator_.num_envs()) + ")");
      }
    }
    for (py::ssize_t i = 0; i < n; ++i) {
      evaluator_.Reset(envs[i]);
      ++episode_[envs[i]];
      step_[envs[i]] = 0;
    }
    if (n > 0) RequestFlush();
  }

  void ResetAll() {
    evaluator_.ResetAll();
    for (int e = 0; e < evaluator_.num_envs(); ++e) {
      ++episode_[e];
      step_[e] = 0;
    }
    RequestFlush();
  }

  // wait=false: commit now without waiting (what an episode end does).
  void FlushAudit(bool wait) {
    if (sink_ == nullptr) return;
    if (!wait) return RequestFlush();
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = sink_->Flush();
    }
    if (!status.ok()) Raise(status);
  }

  void CloseAudit() {
    if (sink_ == nullptr) return;
    absl::Status status;
    {
      py::gil_scoped_release release;
      status = sink_->Close();
    }
    sink_.reset();
    if (!status.ok()) Raise(status);
  }

  // Episode end: the sink commits what it has, the step loop does not wait.
  void RequestFlush() {
    if (sink_ == nullptr) return;
    if (absl::Status status = sink_->RequestFlush(); !status.ok()) Raise(status);
  }

  const Evaluator& evaluator() const { return evaluator_; }
  bool has_audit() const { return sink_ != nullptr; }
  std::vector<int64_t> episodes() const { return episode_; }

 private:
  static PolicyPtr CheckedPolicy(const PyPolicy& p) {
    if (p.policy == nullptr) throw py::value_error("policy is empty");
    return p.policy;
  }
  static int CheckedEnvs(int num_envs) {
    if (num_envs < 1) throw py::value_error("num_envs must be >= 1, got " + std::to_string(num_envs));
    return num_envs;
  }

  // One record per call, keyed by env, episode and step (one step per batch
  // for each env with calls in it).
  absl::Status Audit(const int32_t* envs, size_t n) {
    step_seen_.resize(evaluator_.num_envs(), false);
    batch_.Clear();
    for (size_t i = 0; i < n; ++i) {
      const int env = envs[i];
      if (!step_seen_[env]) {
        step_seen_[env] = true;
        ++step_[env];
      }
      batch_.Add(verdicts_[i], {.env = env, .episode = episode_[env], .step = step_[env] - 1,
                                .tool = calls_[i].tool, .arguments = calls_[i].arguments});
    }
    for (size_t i = 0; i < n; ++i) step_seen_[envs[i]] = false;
    // Moves the step's events to the writer thread (the batch comes back
    // empty, its storage kept): no per-event strings on the step path.
    return sink_->WriteBatch(&batch_);
  }

  Evaluator evaluator_;
  std::vector<int64_t> episode_;
  std::vector<int64_t> step_;
  std::vector<bool> step_seen_;
  std::unique_ptr<SqliteSink> sink_;
  // Reused between calls.
  std::vector<ToolCall> calls_;
  std::vector<Verdict> verdicts_;
  EventBatch batch_;
  StepColumns step_columns_;
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

  py::class_<GuardCore>(m, "GuardCore")
      .def(py::init<const PyPolicy&, int, const std::string&, const std::optional<std::string>&,
                    const std::string&>(),
           py::arg("policy"), py::arg("num_envs"), py::arg("mode") = "enforce",
           py::arg("audit_path") = py::none(), py::arg("run_name") = "python")
      .def("evaluate_batch", &GuardCore::EvaluateBatch, py::arg("tools"), py::arg("arguments"),
           py::arg("env_ids"))
      .def("reset", &GuardCore::Reset, py::arg("env_ids"))
      .def("reset_all", &GuardCore::ResetAll)
      .def("flush_audit", &GuardCore::FlushAudit, py::arg("wait") = true)
      .def("close_audit", &GuardCore::CloseAudit)
      .def_property_readonly("has_audit", &GuardCore::has_audit)
      .def_property_readonly("episodes", &GuardCore::episodes)
      .def_property_readonly("num_envs", [](const GuardCore& g) { return g.evaluator().num_envs(); })
      .def_property_readonly("num_categories", [](const GuardCore& g) {
        return static_cast<int>(g.evaluator().policy().categories().size());
      })
      .def_property_readonly("mode", [](const GuardCore& g) {
        return std::string(g.evaluator().mode() == Mode::kEnforce ? "enforce" : "shadow");
      })
      .def("budget_count", [](const GuardCore& g, int env, int budget) {
        if (env < 0 || env >= g.evaluator().num_envs()) throw py::value_error("env out of range");
        if (budget < 0 || budget >= static_cast<int>(g.evaluator().policy().budgets().size()))
          throw py::value_error("budget out of range");
        return g.evaluator().BudgetCount(env, budget);
      }, py::arg("env"), py::arg("budget"))
      .def("seen", [](const GuardCore& g, int env, const std::string& capability) {
        if (env < 0 || env >= g.evaluator().num_envs()) throw py::value_error("env out of range");
        auto id = g.evaluator().policy().FindCapability(capability);
        if (!id) throw py::value_error("unknown capability `" + capability + "`");
        return g.evaluator().Seen(env, *id);
      }, py::arg("env"), py::arg("capability"));

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
