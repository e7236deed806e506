#ifndef SLUICE_FAULT_H
#define SLUICE_FAULT_H

/* Test hook, not a feature: kill the daemon at a numbered step of an
 * operation, to test that every state a SIGKILL can leave behind is
 * recovered on the next start. The environment switch SLUICE_FAULT="op:step"
 * (e.g. "reload:3") makes the matching call log "fault point op:step:
 * killing myself" and raise(SIGKILL). The variable is read once and cached:
 * unset, a call costs one cached compare.
 *
 * Number an operation's steps 1, 2, 3... in the order it runs them, one
 * point between every two kernel-visible changes. Tests find how many steps
 * an operation has by trying 1, 2, 3... until it completes without dying,
 * and find the operations by grepping the tree for sl_fault_point("...",
 * so keep `op` a string literal (or a choice between literals). */
void sl_fault_point(const char *op, int step);

/* The start path's steps ("start", core/main.c and core/daemon.c). The
 * features' apply runs between SL_START_FEATURES + i (before feature i) and
 * SL_START_FEATURES + sl_nfeatures (all applied), then the capability drop
 * and the ready notification follow. A reload's core points are
 * "reload-core" 1 + i, before feature i: the features number their own
 * "reload", "restore"... steps inside. */
enum { SL_START_STAGED = 1, SL_START_LISTENING, SL_START_PREPARED, SL_START_LOCKED, SL_START_FEATURES };

#endif
