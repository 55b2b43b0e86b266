/* The attachment name policy: one rule, used by the server (which stores the
 * name) and by every client (which writes files under it: defence in depth).
 * Pure: no I/O, no allocation; links nothing but libc and domain.c.
 *
 * A stored name never means anything to a shell, a file manager or a
 * desktop: not hidden, not an option, no path, no expansion, no launcher.
 *   refused (MC_DOM_*): empty, longer than MC_LIM_FILE_NAME, not UTF-8,
 *     control or invisible format characters (mc_dom_text), '/' or '\\'
 *     (a path, not a name) — no scanner produces those, so they are an
 *     attack or a broken client;
 *   rewritten: the shell's  $ ` ; | & < > * ? ! " '  become '_'; leading '.', '-', '~' and blanks and trailing '.' and blanks are
 *     removed ("file" if nothing is left);
 *   extension: with the detected type known, the name ends in one of the
 *     type's extensions (.pdf; .jpg/.jpeg; .png; .tif/.tiff, any case), else
 *     the canonical one is appended ("x.desktop" -> "x.desktop.pdf"); the
 *     base is shortened on a character boundary to make room. */
#ifndef MC_FILE_NAME_H
#define MC_FILE_NAME_H

#include <stddef.h>

#include "domain.h"

#define MC_LIM_FILE_NAME 255

/* The canonical extension ("pdf", "jpg", "png", "tif") of a stored type;
 * NULL for any other MIME type. */
const char *mc_dom_file_ext(const char *mime);

/* Writes the safe form of name into out (cap >= MC_LIM_FILE_NAME + 1).
 * mime NULL: the type is not known yet (no extension rule). MC_DOM_OK, or
 * the fault that refuses the name (out is then ""). */
enum mc_dom_fault mc_dom_file_name(const char *name, const char *mime, char *out, size_t cap);

#endif
