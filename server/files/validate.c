/* Structure validation of a finished upload (files.h, W6): the magic bytes
 * name a type, and the type's own well-kept library must then read the
 * whole structure: qpdf (xref, trailer, page tree; streams are not decoded,
 * so a compression bomb costs nothing), libjpeg-turbo, libpng and libtiff
 * (every scanline, strip or tile decoded, dimensions bounded first).
 * Pure over a buffer: no file, no clock, no log; the libraries' messages
 * are silenced. Fuzzed by fuzz/fuzz_upload.c. */
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>

#include <jpeglib.h> /* after stdio.h: it uses FILE and size_t */
#include <png.h>
#include <qpdf/qpdf-c.h>
#include <tiffio.h>

#include "error.h"
#include "files.h"

#define TRAILER_SLACK 1024 /* bytes tolerated after a JPEG EOI or PNG IEND */
#define TIFF_MAX_DIRS 256
#define JPEG_MAX_SCANS 500
#define JPEG_MAX_MEMORY (512L << 20) /* a progressive image's coefficients */

static int dims_ok(uint64_t w, uint64_t h) {
  return w > 0 && h > 0 && w <= MC_IMAGE_MAX_SIDE && h <= MC_IMAGE_MAX_SIDE &&
         w * h <= MC_IMAGE_MAX_PIXELS;
}

/* ---- HTML or script in the first bytes (a browser sniffing a polyglot) ---- */

static int has_markup(const uint8_t *p, size_t n) {
  static const char *const marks[] = {"<html", "<script", "<!doctype", "<body", "<svg",
                                      "<iframe", "<?xml", "#!/"};
  if (n > 1024) n = 1024;
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
      size_t m = strlen(marks[k]);
      if (n - i >= m && strncasecmp((const char *)p + i, marks[k], m) == 0) return 1;
    }
  return 0;
}

/* ---- PDF: qpdf reads the xref and trailer, then walks the page tree ------- */

static int pdf_ok(const uint8_t *p, size_t n) {
  qpdf_data q = qpdf_init();
  if (q == NULL) return 0;
  qpdf_silence_errors(q);
  qpdf_set_suppress_warnings(q, QPDF_TRUE);
  qpdf_set_attempt_recovery(q, QPDF_FALSE); /* a broken xref is refused, not rebuilt */
  int ok = (qpdf_read_memory(q, "upload", (const char *)p, n, NULL) & QPDF_ERRORS) == 0 &&
           !qpdf_has_error(q) && qpdf_get_num_pages(q) > 0 && !qpdf_has_error(q);
  if (qpdf_has_error(q)) qpdf_get_error(q); /* handled: qpdf would complain on stderr */
  while (qpdf_more_warnings(q)) qpdf_next_warning(q);
  qpdf_cleanup(&q);
  return ok;
}

/* ---- JPEG: header, then every scanline ------------------------------------- */

typedef struct jerr {
  struct jpeg_error_mgr mgr;
  jmp_buf jump;
} jerr;

static void jpeg_exit_cb(j_common_ptr c) { longjmp(((jerr *)c->err)->jump, 1); }
static void jpeg_quiet_cb(j_common_ptr c, int level) {
  if (level < 0) c->err->num_warnings++; /* corrupt data: counted, refused below */
}

/* A progressive JPEG may carry thousands of scans, each a pass over the
 * whole image (CPU); libjpeg-turbo's own tools stop at 500. */
static void jpeg_progress_cb(j_common_ptr c) {
  j_decompress_ptr d = (j_decompress_ptr)c;
  if (d->input_scan_number > JPEG_MAX_SCANS) longjmp(((jerr *)c->err)->jump, 1);
}

static int jpeg_ok(const uint8_t *p, size_t n) {
  struct jpeg_decompress_struct d;
  jerr e;
  JSAMPARRAY row = NULL;
  volatile int ok = 0;
  memset(&d, 0, sizeof d);
  d.err = jpeg_std_error(&e.mgr);
  e.mgr.error_exit = jpeg_exit_cb;
  e.mgr.emit_message = jpeg_quiet_cb;
  jpeg_create_decompress(&d);
  struct jpeg_progress_mgr progress = {.progress_monitor = jpeg_progress_cb};
  d.progress = &progress;
  d.mem->max_memory_to_use = JPEG_MAX_MEMORY; /* no backing store: over it is an error */
  if (setjmp(e.jump) != 0) goto out;
  jpeg_mem_src(&d, p, (unsigned long)n);
  if (jpeg_read_header(&d, TRUE) != JPEG_HEADER_OK || !dims_ok(d.image_width, d.image_height))
    goto out;
  d.dct_method = JDCT_IFAST;
  jpeg_start_decompress(&d);
  row = (*d.mem->alloc_sarray)((j_common_ptr)&d, JPOOL_IMAGE,
                               d.output_width * (JDIMENSION)d.output_components, 1);
  while (d.output_scanline < d.output_height)
    if (jpeg_read_scanlines(&d, row, 1) != 1) goto out;
  jpeg_finish_decompress(&d);
  ok = e.mgr.num_warnings == 0 && d.src->bytes_in_buffer <= TRAILER_SLACK;
out:
  jpeg_destroy_decompress(&d);
  return ok;
}

/* ---- PNG: info, every row (all passes), the end with its CRCs ------------- */

typedef struct pmem {
  const uint8_t *p;
  size_t n, off;
} pmem;

static void png_read_cb(png_structp png, png_bytep out, size_t len) {
  pmem *m = png_get_io_ptr(png);
  if (len > m->n - m->off) png_error(png, "short");
  memcpy(out, m->p + m->off, len);
  m->off += len;
}

static void png_quiet_cb(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

static void png_err_cb(png_structp png, png_const_charp msg) {
  (void)msg;
  png_longjmp(png, 1);
}

static int png_ok(const uint8_t *p, size_t n) {
  pmem m = {p, n, 0};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_err_cb, png_quiet_cb);
  png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
  png_bytep volatile row = NULL; /* set after setjmp: volatile, or a longjmp may lose it */
  volatile int ok = 0;
  if (info == NULL) goto out;
  if (setjmp(png_jmpbuf(png)) != 0) goto out;
  png_set_user_limits(png, MC_IMAGE_MAX_SIDE, MC_IMAGE_MAX_SIDE);
  png_set_chunk_malloc_max(png, 8u << 20);
  png_set_chunk_cache_max(png, 1000);
  png_set_read_fn(png, &m, png_read_cb);
  png_read_info(png, info);
  png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
  if (!dims_ok(w, h)) goto out;
  int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  row = malloc(png_get_rowbytes(png, info));
  if (row == NULL) goto out;
  for (int pass = 0; pass < passes; pass++)
    for (png_uint_32 y = 0; y < h; y++) png_read_row(png, row, NULL);
  png_read_end(png, NULL);
  ok = n - m.off <= TRAILER_SLACK;
out:
  free(row);
  png_destroy_read_struct(png != NULL ? &png : NULL, info != NULL ? &info : NULL, NULL);
  return ok;
}

/* ---- TIFF: every directory, every strip or tile decoded ------------------- */

typedef struct tmem {
  const uint8_t *p;
  toff_t n, off;
} tmem;

static tmsize_t tiff_read_cb(thandle_t h, void *buf, tmsize_t len) {
  tmem *m = (tmem *)h;
  if (len < 0) return -1;
  toff_t left = m->off < m->n ? m->n - m->off : 0;
  if ((toff_t)len > left) len = (tmsize_t)left;
  memcpy(buf, m->p + m->off, (size_t)len);
  m->off += (toff_t)len;
  return len;
}

static tmsize_t tiff_write_cb(thandle_t h, void *buf, tmsize_t len) {
  (void)h, (void)buf, (void)len;
  return -1;
}

static toff_t tiff_seek_cb(thandle_t h, toff_t off, int whence) {
  tmem *m = (tmem *)h;
  toff_t base = whence == SEEK_CUR ? m->off : whence == SEEK_END ? m->n : 0;
  if (off > UINT64_MAX - base) return (toff_t)-1;
  m->off = base + off;
  return m->off;
}

static int tiff_close_cb(thandle_t h) { return (void)h, 0; }
static toff_t tiff_size_cb(thandle_t h) { return ((tmem *)h)->n; }

static void tiff_silence(void) {
  TIFFSetErrorHandler(NULL);
  TIFFSetWarningHandler(NULL);
}

static int tiff_dir_ok(TIFF *t) {
  uint32_t w = 0, h = 0;
  if (!TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h) ||
      !dims_ok(w, h))
    return 0;
  int tiled = TIFFIsTiled(t);
  tmsize_t size = tiled ? TIFFTileSize(t) : TIFFStripSize(t);
  uint32_t count = tiled ? TIFFNumberOfTiles(t) : TIFFNumberOfStrips(t);
  if (size <= 0 || count == 0 || (uint64_t)size > (64u << 20)) return 0;
  void *buf = _TIFFmalloc(size);
  int ok = buf != NULL;
  for (uint32_t i = 0; ok && i < count; i++)
    ok = (tiled ? TIFFReadEncodedTile(t, i, buf, size) : TIFFReadEncodedStrip(t, i, buf, size)) >= 0;
  _TIFFfree(buf);
  return ok;
}

static int tiff_ok(const uint8_t *p, size_t n) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, tiff_silence);
  tmem m = {p, n, 0};
  TIFF *t = TIFFClientOpen("upload", "rm", (thandle_t)&m, tiff_read_cb, tiff_write_cb,
                           tiff_seek_cb, tiff_close_cb, tiff_size_cb, NULL, NULL);
  if (t == NULL) return 0;
  int ok = 1, dirs = 0;
  do {
    ok = ++dirs <= TIFF_MAX_DIRS && tiff_dir_ok(t);
  } while (ok && TIFFReadDirectory(t));
  TIFFClose(t);
  return ok;
}

/* ---- the one entry -------------------------------------------------------- */

const char *mc_files_validate(const uint8_t *p, size_t n, const char **detail) {
  const char *mime = mc_files_magic(p, n);
  int ok = 0;
  *detail = "file type";
  if (mime == NULL) return NULL;
  if (strcmp(mime, "application/pdf") == 0) ok = !has_markup(p, n) && pdf_ok(p, n);
  else if (strcmp(mime, "image/jpeg") == 0) ok = jpeg_ok(p, n);
  else if (strcmp(mime, "image/png") == 0) ok = png_ok(p, n);
  else if (strcmp(mime, "image/tiff") == 0) ok = tiff_ok(p, n);
  *detail = ok ? NULL : "file structure";
  return ok ? mime : NULL;
}
