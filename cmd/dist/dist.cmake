# dist.cmake: what 'cmake --install' puts in place and what CPack packages.
# Included at the end of the top-level CMakeLists.txt.
#
# The man pages and the shell completions are generated at build time from the
# built binaries' own --help texts (gen-man.sh, gen-completions.sh), so they
# cannot drift from what the binaries accept. The binaries link the system's
# shared libraries dynamically, as a distribution package does: the .deb
# depends on Debian 12's packages of them (libgit2-1.5 provides the soname
# libgit2.so.1.5 the binary needs).
include(GNUInstallDirs)

set(CIFORM_DIST_OUT ${CMAKE_BINARY_DIR}/dist)
set(CIFORM_DIST_SRC ${CMAKE_CURRENT_SOURCE_DIR}/cmd/dist)
add_custom_command(
  OUTPUT ${CIFORM_DIST_OUT}/generated.stamp
  COMMAND sh ${CIFORM_DIST_SRC}/gen-man.sh $<TARGET_FILE:ciform> $<TARGET_FILE:ciform-sandbox>
          ${CIFORM_DIST_OUT}/man
  COMMAND sh ${CIFORM_DIST_SRC}/gen-completions.sh $<TARGET_FILE:ciform> ${CIFORM_DIST_OUT}/completions
  COMMAND ${CMAKE_COMMAND} -E touch ${CIFORM_DIST_OUT}/generated.stamp
  DEPENDS ciform ciform-sandbox
          ${CIFORM_DIST_SRC}/gen-man.sh ${CIFORM_DIST_SRC}/gen-completions.sh
          ${CIFORM_DIST_SRC}/help-parse.awk ${CIFORM_DIST_SRC}/roff.awk ${CIFORM_DIST_SRC}/complete.awk
  COMMENT "Generating man pages and shell completions from the --help texts"
  VERBATIM)
add_custom_target(ciform-dist ALL DEPENDS ${CIFORM_DIST_OUT}/generated.stamp)

install(TARGETS ciform ciform-sandbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CIFORM_DIST_OUT}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
  FILES_MATCHING PATTERN "*.1")
install(FILES ${CIFORM_DIST_OUT}/completions/ciform.bash
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions RENAME ciform)
# zsh looks in PREFIX/share/zsh/site-functions, but Debian's zsh, for /usr,
# only in /usr/share/zsh/vendor-completions: both, so the .deb's completes too.
foreach(dir site-functions vendor-completions)
  install(FILES ${CIFORM_DIST_OUT}/completions/_ciform DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/zsh/${dir})
endforeach()
install(FILES ${CIFORM_DIST_OUT}/completions/ciform.fish
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/fish/vendor_completions.d)

# The .deb: 'cpack -G DEB' in the build directory.
set(CPACK_PACKAGE_NAME ciform)
set(CPACK_PACKAGE_VENDOR "ciform")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "GitOps for Semaphore CI: agent types, deployment targets and retention policies as YAML specs")
set(CPACK_PACKAGE_DESCRIPTION
  "ciform keeps a Semaphore CI organisation's self-hosted agent types, deployment targets and artifact retention policies as YAML specs in git, compares them with the live organisation and makes it match. Also ships ciform-sandbox, a local stand-in for the Semaphore API.")
set(CIFORM_PACKAGE_CONTACT "ciform maintainers <ciform@localhost>" CACHE STRING
  "The .deb's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${CIFORM_PACKAGE_CONTACT}")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_CURRENT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# Depends from the binaries' own NEEDED entries when dpkg-shlibdeps (dpkg-dev)
# is there; else Debian 12's packages of the libraries CMake found above.
# (CPack also needs file(1) to find the binaries among the files.)
find_program(CIFORM_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(CIFORM_FILE_PROGRAM file)
if(CIFORM_DPKG_SHLIBDEPS AND CIFORM_FILE_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libyaml-0-2, libcurl4, libcjson1, libgit2-1.5, libpcre2-8-0, libmicrohttpd12, libssl3")
endif()
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/\\\\.ciform/")
include(CPack)
