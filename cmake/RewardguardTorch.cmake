# Finds LibTorch (and, through it, CUDA) for rewardguard::torch, with the
# workarounds a pip-installed CUDA build of torch needs. Included once from
# the top-level CMakeLists.txt, so torch's imported targets are visible to
# every directory below (the shaping library, its tests, the benchmarks).
# Sets:
#   REWARDGUARD_TORCH_FOUND   ON when rewardguard::torch can be built
#   REWARDGUARD_CUDA_BUILT    ON when its CUDA kernels are built too
#   REWARDGUARD_TORCH_CUDART  the CUDA runtime consumers must link (or empty)
# Driven by REWARDGUARD_WITH_TORCH and REWARDGUARD_WITH_CUDA (CMakeLists.txt).
set(REWARDGUARD_TORCH_FOUND OFF)
set(REWARDGUARD_CUDA_BUILT OFF)
set(REWARDGUARD_TORCH_CUDART "")

string(TOUPPER "${REWARDGUARD_WITH_TORCH}" _rg_torch)
string(TOUPPER "${REWARDGUARD_WITH_CUDA}" _rg_cuda)
if(_rg_torch STREQUAL "OFF" OR (NOT _rg_torch AND NOT _rg_torch STREQUAL "AUTO"))
  return()
endif()

# A CUDA build of torch makes find_package(Torch) enable CUDA and fail hard
# when no nvcc is found. When we do not want or cannot have CUDA, a stub
# torch::cudart makes Caffe2's public/cuda.cmake return early (its include
# guard); libtorch_cuda.so still finds the wheel's libcudart through its RPATH.
set(_rg_try_cuda OFF)
if(NOT _rg_cuda STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(_rg_try_cuda ON)
  elseif(_rg_cuda STREQUAL "ON")
    message(FATAL_ERROR "REWARDGUARD_WITH_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()
if(NOT _rg_try_cuda AND NOT TARGET torch::cudart)
  add_library(torch::cudart INTERFACE IMPORTED)
endif()
if(_rg_try_cuda AND NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  # Torch's default list starts at sm_50, which CUDA 13 no longer compiles.
  # Ampere, Hopper, Blackwell, plus PTX for what comes next.
  set(TORCH_CUDA_ARCH_LIST "8.0;9.0;10.0;12.0+PTX")
endif()

if(_rg_torch STREQUAL "AUTO")
  find_package(Torch QUIET)
else()
  find_package(Torch REQUIRED)
endif()
if(NOT Torch_FOUND)
  message(STATUS "rewardguard: Torch not found, rewardguard::torch is not built")
  return()
endif()
find_package(Eigen3 REQUIRED NO_MODULE)
set(REWARDGUARD_TORCH_FOUND ON)

if(_rg_try_cuda AND TARGET torch_cuda AND CMAKE_CUDA_COMPILER_LOADED)
  set(REWARDGUARD_CUDA_BUILT ON)
elseif(_rg_cuda STREQUAL "ON")
  message(FATAL_ERROR "REWARDGUARD_WITH_CUDA=ON but this Torch has no CUDA")
endif()

if(REWARDGUARD_CUDA_BUILT)
  # Torch's torch::cudart points at the toolkit's libcudart (13.0 here), which
  # would then be loaded before the wheel's own (13.2, the one libtorch_cuda
  # was built with), and puts the toolkit's lib dir first in every RPATH,
  # where ld finds an older libnccl while resolving libtorch_cuda.so. A pip
  # wheel ships its runtime under site-packages/nvidia: link that one
  # instead. Our kernels, built by the older nvcc, run on the newer runtime
  # (CUDA minor-version compatibility).
  if(DEFINED TORCH_INSTALL_PREFIX)
    file(GLOB _rg_wheel_cudart
      "${TORCH_INSTALL_PREFIX}/../nvidia/cu[0-9]*/lib/libcudart.so.[0-9]*"
      "${TORCH_INSTALL_PREFIX}/../nvidia/cuda_runtime/lib/libcudart.so.[0-9]*")
    if(_rg_wheel_cudart)
      list(GET _rg_wheel_cudart 0 _rg_wheel_cudart)
      get_filename_component(REWARDGUARD_TORCH_CUDART "${_rg_wheel_cudart}" REALPATH)
      set_property(TARGET torch::cudart PROPERTY INTERFACE_LINK_LIBRARIES "${REWARDGUARD_TORCH_CUDART}")
      message(STATUS "rewardguard: linking the torch wheel's CUDA runtime ${REWARDGUARD_TORCH_CUDART}")
    endif()
  endif()
  # Torch's headers need C++20 (the project's standard), which CMake < 3.26
  # cannot ask of nvcc: teach it the flag.
  if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
  endif()
endif()
message(STATUS "rewardguard: rewardguard::torch: ${REWARDGUARD_TORCH_FOUND}, with CUDA kernels: ${REWARDGUARD_CUDA_BUILT}")
