/* Tiny assertion helpers for motcua's C tests. A failed CHECK prints
 * file:line and the failing expression, counts the failure and carries on;
 * CHECK_FATAL returns from the enclosing test function. Test files return
 * check_result() from main so ctest sees non-zero on any failure. */
#ifndef MC_TEST_CHECK_H
#define MC_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(expr)                                                     \
  do {                                                                  \
    check_count++;                                                      \
    if (!(expr)) {                                                      \
      check_failures++;                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,  \
              #expr);                                                   \
    }                                                                   \
  } while (0)

/* Compare two ints; prints both values on failure. */
#define CHECK_EQ(a, b)                                                  \
  do {                                                                  \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);     \
    check_count++;                                                      \
    if (check_a_ != check_b_) {                                         \
      check_failures++;                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld vs %lld)\n", \
              __FILE__, __LINE__, #a, #b, check_a_, check_b_);          \
    }                                                                   \
  } while (0)

#define CHECK_STREQ(a, b)                                               \
  do {                                                                  \
    const char *check_a_ = (a), *check_b_ = (b);                        \
    check_count++;                                                      \
    if (check_a_ == NULL || check_b_ == NULL ||                         \
        strcmp(check_a_, check_b_) != 0) {                              \
      check_failures++;                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" vs \"%s\")\n", \
              __FILE__, __LINE__, #a, #b, check_a_ ? check_a_ : "(null)", \
              check_b_ ? check_b_ : "(null)");                          \
    }                                                                   \
  } while (0)

/* Like CHECK but abandons the current function (returns void). */
#define CHECK_FATAL(expr)                                               \
  do {                                                                  \
    check_count++;                                                      \
    if (!(expr)) {                                                      \
      check_failures++;                                                 \
      fprintf(stderr, "%s:%d: FATAL check failed: %s\n", __FILE__,      \
              __LINE__, #expr);                                         \
      return;                                                           \
    }                                                                   \
  } while (0)

#define RUN_TEST(fn)                                                    \
  do {                                                                  \
    int check_before_ = check_failures;                                 \
    fn();                                                               \
    fprintf(stderr, "%-40s %s\n", #fn,                                  \
            check_failures == check_before_ ? "ok" : "FAILED");         \
  } while (0)

#define RUN_TEST_ARG(fn, arg)                                           \
  do {                                                                  \
    int check_before_ = check_failures;                                 \
    fn(arg);                                                            \
    fprintf(stderr, "%-40s %s\n", #fn,                                  \
            check_failures == check_before_ ? "ok" : "FAILED");         \
  } while (0)

static inline int check_result(void) {
  fprintf(stderr, "%d checks, %d failures\n", check_count, check_failures);
  return check_failures == 0 && check_count > 0 ? 0 : 1;
}

#endif
