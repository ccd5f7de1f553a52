# The plugin SDK: what `cmake --install` puts under the prefix for people who
# write plugins, and the same CMake package for the build tree.
#
#   include/mlplab/*.h                    the public ABI header(s)
#   <libdir>/cmake/mlplab/                mlplabConfig.cmake, mlplabConfigVersion.cmake,
#                                         mlplabTargets.cmake (mlplab::headers),
#                                         MlplabPlugin.cmake (mlplab_add_plugin)
#   <libdir>/pkgconfig/mlplab.pc          Cflags, and the variables pluginabi, plugindir
#
# The build tree gets <build>/cmake/mlplab/mlplabConfig.cmake, so a project can
# build plugins against an uninstalled mlplab with -Dmlplab_DIR=<build>/cmake/mlplab.
# Included once from the root CMakeLists.txt, after the plugins.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

# The plugin ABI version, read from the header so that it cannot drift.
file(STRINGS "${PROJECT_SOURCE_DIR}/framework/include/mlplab/plugin.h" abi_lines
     REGEX "^#define MLP_ABI_(MAJOR|MINOR) [0-9]+")
string(REGEX REPLACE ".*MLP_ABI_MAJOR ([0-9]+).*" "\\1" MLPLAB_PLUGIN_ABI_MAJOR "${abi_lines}")
string(REGEX REPLACE ".*MLP_ABI_MINOR ([0-9]+).*" "\\1" MLPLAB_PLUGIN_ABI_MINOR "${abi_lines}")
if(NOT MLPLAB_PLUGIN_ABI_MAJOR MATCHES "^[0-9]+$" OR NOT MLPLAB_PLUGIN_ABI_MINOR MATCHES "^[0-9]+$")
  message(FATAL_ERROR "mlplab: cannot read MLP_ABI_MAJOR/MINOR from framework/include/mlplab/plugin.h")
endif()
set(MLPLAB_PLUGIN_ABI "${MLPLAB_PLUGIN_ABI_MAJOR}.${MLPLAB_PLUGIN_ABI_MINOR}")

# ---- installed --------------------------------------------------------------

install(DIRECTORY "${PROJECT_SOURCE_DIR}/framework/include/mlplab"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT sdk
        FILES_MATCHING PATTERN "*.h")
install(TARGETS mlplab_headers EXPORT mlplabTargets COMPONENT sdk)
install(EXPORT mlplabTargets NAMESPACE mlplab:: FILE mlplabTargets.cmake
        DESTINATION "${MLPLAB_INSTALL_CMAKEDIR}" COMPONENT sdk)

# Paths for the config file, relative to the prefix (made relative to the
# config file's own folder by configure_package_config_file: relocatable).
set(MLPLAB_CONFIG_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
set(MLPLAB_CONFIG_PLUGINDIR "${MLPLAB_INSTALL_PLUGINDIR}")
set(MLPLAB_CONFIG_RUNNER "${CMAKE_INSTALL_BINDIR}/runner")
set(MLPLAB_CONFIG_MODULEDIR "${MLPLAB_INSTALL_CMAKEDIR}")
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/mlplabConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/sdk/install/mlplabConfig.cmake"
  INSTALL_DESTINATION "${MLPLAB_INSTALL_CMAKEDIR}"
  PATH_VARS MLPLAB_CONFIG_INCLUDEDIR MLPLAB_CONFIG_PLUGINDIR MLPLAB_CONFIG_RUNNER
            MLPLAB_CONFIG_MODULEDIR)
# 0.x: a minor release may break the package, so the minor must match.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/cmake/mlplab/mlplabConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/sdk/install/mlplabConfig.cmake"
              "${PROJECT_BINARY_DIR}/cmake/mlplab/mlplabConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/MlplabPlugin.cmake"
        DESTINATION "${MLPLAB_INSTALL_CMAKEDIR}" COMPONENT sdk)

# pkg-config: every path from ${pcfiledir}, so the file stays right under any
# --prefix and after the tree is moved.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(MLPLAB_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" up "${up}")
  set(MLPLAB_PC_PREFIX "\${pcfiledir}/${up}")
endif()
foreach(v INCLUDEDIR LIBDIR BINDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${v}}")
    set(MLPLAB_PC_${v} "${CMAKE_INSTALL_${v}}")
  else()
    set(MLPLAB_PC_${v} "\${prefix}/${CMAKE_INSTALL_${v}}")
  endif()
endforeach()
configure_file("${PROJECT_SOURCE_DIR}/cmake/mlplab.pc.in" "${PROJECT_BINARY_DIR}/sdk/install/mlplab.pc"
               @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/sdk/install/mlplab.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT sdk)

# ---- build tree -------------------------------------------------------------

# The same package, pointing into the source and build trees.
export(EXPORT mlplabTargets NAMESPACE mlplab::
       FILE "${PROJECT_BINARY_DIR}/cmake/mlplab/mlplabTargets.cmake")
set(MLPLAB_CONFIG_INCLUDEDIR "${PROJECT_SOURCE_DIR}/framework/include")
set(MLPLAB_CONFIG_PLUGINDIR "${MLPLAB_PLUGIN_OUTPUT_DIR}")
set(MLPLAB_CONFIG_RUNNER "${CMAKE_BINARY_DIR}/runner")  # framework/: RUNTIME_OUTPUT_DIRECTORY
set(MLPLAB_CONFIG_MODULEDIR "${PROJECT_SOURCE_DIR}/cmake")
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/mlplabConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/mlplab/mlplabConfig.cmake"
  INSTALL_DESTINATION "${PROJECT_BINARY_DIR}/cmake/mlplab"
  INSTALL_PREFIX "${PROJECT_BINARY_DIR}"
  PATH_VARS MLPLAB_CONFIG_INCLUDEDIR MLPLAB_CONFIG_PLUGINDIR MLPLAB_CONFIG_RUNNER
            MLPLAB_CONFIG_MODULEDIR)
