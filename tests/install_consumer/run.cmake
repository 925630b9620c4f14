# ctest's install_consumer: installs the build into a temporary prefix, then builds and runs
# main.cpp against it twice: with CMake (find_package(tapegrad)) and with pkg-config; last, every
# installed header is compiled from the prefix alone.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DCXX=... [-DLAUNCHER=ccache]
#         [-DEXTRA_FLAGS="-fsanitize=..."] -P run.cmake
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(JOIN " " cmd ${ARGN})
    message(FATAL_ERROR "install_consumer: failed (${rc}): ${cmd}")
  endif()
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# the headers are real files, not links into the source tree
foreach(f tapegrad.hpp autograd/tensor.hpp autograd/ops/elementwise.hpp nn/module.hpp losses/losses.hpp optim/optim.hpp)
  if(NOT EXISTS ${prefix}/include/tapegrad/${f} OR IS_SYMLINK ${prefix}/include/tapegrad/${f})
    message(FATAL_ERROR "install_consumer: ${prefix}/include/tapegrad/${f} is missing or a link")
  endif()
endforeach()
file(GLOB_RECURSE links LIST_DIRECTORIES true ${prefix}/include/*)
foreach(l ${links})
  if(IS_SYMLINK ${l})
    message(FATAL_ERROR "install_consumer: ${l} is a symbolic link")
  endif()
endforeach()

# 1. CMake: find_package(tapegrad) from the prefix
set(launcher "")
if(LAUNCHER)
  set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_CXX_COMPILER=${CXX} ${launcher} "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}")
file(STRINGS ${WORK_DIR}/build/CMakeCache.txt found REGEX "^tapegrad_DIR:")
if(NOT found MATCHES "${prefix}/")
  message(FATAL_ERROR "install_consumer: find_package found ${found}, not the copy in ${prefix}")
endif()
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)

# 2. pkg-config: c++ main.cpp $(pkg-config --cflags --libs tapegrad)
find_program(PKG_CONFIG pkg-config REQUIRED)
file(GLOB_RECURSE pc ${prefix}/tapegrad.pc)
get_filename_component(pc_dir "${pc}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs tapegrad OUTPUT_VARIABLE flags RESULT_VARIABLE rc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install_consumer: pkg-config --cflags --libs tapegrad failed")
endif()
message(STATUS "pkg-config --cflags --libs tapegrad: ${flags}")
separate_arguments(flags UNIX_COMMAND "${flags}")
separate_arguments(extra UNIX_COMMAND "${EXTRA_FLAGS}")
run(${LAUNCHER} ${CXX} -O1 ${extra} ${SOURCE_DIR}/main.cpp ${flags} -o ${WORK_DIR}/consumer_pkgconfig)
run(${WORK_DIR}/consumer_pkgconfig)

# 3. every installed header compiles from the prefix alone (none reaches outside include/tapegrad)
file(GLOB_RECURSE headers RELATIVE ${prefix}/include ${prefix}/include/tapegrad/*.hpp)
list(SORT headers)
set(all "")
foreach(h ${headers})
  string(APPEND all "#include <${h}>\n")
endforeach()
file(WRITE ${WORK_DIR}/all_headers.cpp "${all}int main() {}\n")
list(LENGTH headers n)
run(${LAUNCHER} ${CXX} -fsyntax-only ${flags} ${WORK_DIR}/all_headers.cpp)
message(STATUS "install_consumer: all ${n} installed headers compile together")
message(STATUS "install_consumer: both builds against ${prefix} ran and passed")
