/* Table-driven configuration (redis static_configs style), INI files parsed
 * by inih. Each option is declared once: section, name, type, default,
 * bounds, target field. Option names are unique across sections so that
 * every key can also be given on the command line as --name=value. */
#ifndef MC_CONFIG_H
#define MC_CONFIG_H

#include <stddef.h>

typedef enum mc_opt_type { MC_OPT_STR, MC_OPT_INT, MC_OPT_BOOL } mc_opt_type;

typedef struct mc_option {
  const char *section;
  const char *name;
  mc_opt_type type;
  const char *def;   /* default as text; NULL = empty / 0 */
  long min, max;     /* INT bounds; STR: max is the field's size incl. NUL */
  size_t offset;     /* offsetof(target struct, field) */
  const char *help;
} mc_option;

/* STR fields are fixed-size char arrays in the target struct (size = max);
 * INT fields are long; BOOL fields are int. */
#define MC_OPT_S(sec, nm, def, st, field, help) \
  {sec, nm, MC_OPT_STR, def, 0, sizeof(((st *)0)->field), offsetof(st, field), help}
#define MC_OPT_I(sec, nm, def, lo, hi, st, field, help) \
  {sec, nm, MC_OPT_INT, def, lo, hi, offsetof(st, field), help}
#define MC_OPT_B(sec, nm, def, st, field, help) \
  {sec, nm, MC_OPT_BOOL, def, 0, 1, offsetof(st, field), help}

/* All functions return 0 or MC_ECONFIG with a message in err. The table
 * ends with an entry whose name is NULL. */
int mc_config_defaults(const mc_option *tab, void *target, char *err, size_t errlen);
int mc_config_set(const mc_option *tab, void *target, const char *name,
                  const char *value, char *err, size_t errlen);
/* Loads FILE; unknown sections/keys are errors (a typo must not pass silently). */
int mc_config_load(const mc_option *tab, void *target, const char *path,
                   char *err, size_t errlen);
/* Applies every "--name=value" argument in argv that names an option and
 * removes it from argv (argc updated). Other arguments are left in place. */
int mc_config_args(const mc_option *tab, void *target, int *argc, char **argv,
                   char *err, size_t errlen);

#endif
