# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Build a BPF object with clang -target bpf and its skeleton with bpftool.
# Generated files (*.bpf.o, *.skel.h) live in the build tree only.
find_program(CLANG_EXE NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL_EXE NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(NETOBS_BPF_OUT_DIR ${CMAKE_BINARY_DIR}/bpf)
file(MAKE_DIRECTORY ${NETOBS_BPF_OUT_DIR})

# The multiarch include dir holds <asm/types.h> for the UAPI headers.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
                OUTPUT_VARIABLE NETOBS_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE)

# Extra arguments after the source are passed to clang (e.g. -mcpu=v3).
function(netobs_bpf_object name source)
  set(obj ${NETOBS_BPF_OUT_DIR}/${name}.bpf.o)
  set(skel ${NETOBS_BPF_OUT_DIR}/${name}.skel.h)
  file(GLOB bpf_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bpf/lib/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CLANG_EXE} -O2 -g -target bpf -Wall -Werror
            -D__TARGET_ARCH_x86
            -I${CMAKE_SOURCE_DIR}/bpf -I${CMAKE_SOURCE_DIR}/lib
            -I/usr/include/${NETOBS_MULTIARCH} ${ARGN}
            -c ${source} -o ${obj}
    DEPENDS ${source} ${bpf_headers} ${CMAKE_SOURCE_DIR}/lib/abi.h
    COMMENT "BPF ${name}.bpf.o")
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL_EXE} gen skeleton ${obj} name ${name} > ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}.skel.h")
  add_custom_target(${name}_skel ALL DEPENDS ${skel})
endfunction()
