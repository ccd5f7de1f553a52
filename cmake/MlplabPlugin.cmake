# mlplab_add_plugin(NAME KIND SOURCES...)
#
# Builds one mlplab plugin: a MODULE library named NAME.so (no "lib" prefix),
# C11, hidden visibility (only the entry symbol is exported), linked with
# -Wl,-z,defs so it depends on nothing inside the runner, into
# ${MLPLAB_PLUGIN_OUTPUT_DIR}/<kind folder>/ (activations, losses, datasets);
# when MLPLAB_PLUGIN_OUTPUT_DIR is not set, ${CMAKE_BINARY_DIR}/plugins, a
# folder `runner --plugin-path` accepts as it is.  The target is named
# mlplab_<KIND>_<NAME>.  KIND is activation, loss or dataset.
#
# The same function serves in tree and, through find_package(mlplab), out of
# tree.  If a command mlplab_install_plugin(TARGET FOLDER) exists when it is
# called, it is called too (the mlplab build defines one to install the
# shipped plugins; an out-of-tree project may define its own).
include_guard(GLOBAL)

if(NOT DEFINED MLPLAB_PLUGIN_OUTPUT_DIR)
  set(MLPLAB_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/plugins")
endif()

function(mlplab_add_plugin name kind)
  set(srcs ${ARGN})
  if(NOT srcs)
    message(FATAL_ERROR "mlplab_add_plugin(${name}): no sources given")
  endif()
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "mlplab_add_plugin(${name}): NAME must match [a-z][a-z0-9_]* (it is the "
                        "file name, and the descriptor's name must be the same)")
  endif()
  if(kind STREQUAL "activation")
    set(folder activations)
  elseif(kind STREQUAL "loss")
    set(folder losses)
  elseif(kind STREQUAL "dataset")
    set(folder datasets)
  else()
    message(FATAL_ERROR "mlplab_add_plugin(${name}): KIND must be activation, loss or dataset, not '${kind}'")
  endif()
  set(outdir "${MLPLAB_PLUGIN_OUTPUT_DIR}")
  if(outdir STREQUAL "")
    set(outdir "${CMAKE_BINARY_DIR}/plugins")
  endif()
  set(target "mlplab_${kind}_${name}")
  add_library(${target} MODULE ${srcs})
  target_link_libraries(${target} PRIVATE mlplab::headers m)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "${name}"
    PREFIX ""
    SUFFIX ".so"
    C_STANDARD 11
    C_STANDARD_REQUIRED ON
    C_EXTENSIONS OFF
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${outdir}/${folder}")
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  target_link_options(${target} PRIVATE "LINKER:-z,defs")
  set_property(GLOBAL APPEND PROPERTY MLPLAB_PLUGIN_TARGETS ${target})
  if(COMMAND mlplab_install_plugin)
    mlplab_install_plugin(${target} ${folder})
  endif()
endfunction()
