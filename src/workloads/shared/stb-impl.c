/*
 * stb-impl: the one translation unit that compiles the stb image libraries for
 * the WASI image workloads; everything else includes the headers only (through
 * image-io.h, or <stb_image_resize.h> directly). Build with
 * "-isystem /usr/include/stb" (Debian's libstb-dev).
 *
 * What is compiled, and why:
 *  - stb_image v2.27: PNG and JPEG decoding only (STBI_ONLY_*), from memory
 *    only (STBI_NO_STDIO: image-io reads the input itself, with a byte limit),
 *    no float/HDR paths (STBI_NO_LINEAR). No SIMD (there is none for wasm32 in
 *    stb, and the builds use -mno-simd128). No thread-local error string
 *    (STBI_NO_THREAD_LOCALS): a WASI command has one thread.
 *  - stb_image_write v1.16: its deflate (for image-io's PNG writer) and JPEG
 *    encoder, to memory or a callback (STBI_WRITE_NO_STDIO); image-io writes
 *    the bytes to the file. Its output depends on the pixels only.
 *  - stb_image_resize v0.97: resampling, including the sRGB-aware entry points.
 *
 * Credits: stb_image and stb_image_write by Sean Barrett; stb_image_resize by
 * Jorge L Rodriguez; all from https://github.com/nothings/stb, public domain
 * (or MIT, at your choice).
 */
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_NO_SIMD
#define STBI_NO_THREAD_LOCALS
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

#define STBI_WRITE_NO_STDIO
/* Its deflate asserts when a realloc fails; image_io_realloc exits with a message instead. */
#include <stdlib.h>
void *image_io_realloc(void *p, size_t size);
#define STBIW_MALLOC(size) malloc(size)
#define STBIW_FREE(p) free(p)
#define STBIW_REALLOC(p, size) image_io_realloc(p, size)
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>
