#ifndef SLUICE_LOG_H
#define SLUICE_LOG_H

enum sl_log_level { SL_LOG_ERR, SL_LOG_WARN, SL_LOG_INFO, SL_LOG_DEBUG };

/* debug messages (and libbpf's own chatter) only with -v */
void sl_log_init(int verbose);
/* the name messages start with (default "sluiced") */
void sl_log_set_name(const char *name);
void sl_log(enum sl_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define sl_err(...)   sl_log(SL_LOG_ERR, __VA_ARGS__)
#define sl_warn(...)  sl_log(SL_LOG_WARN, __VA_ARGS__)
#define sl_info(...)  sl_log(SL_LOG_INFO, __VA_ARGS__)
#define sl_debug(...) sl_log(SL_LOG_DEBUG, __VA_ARGS__)

#endif
