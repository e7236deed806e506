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
 * so keep `op` a string literal. */
void sl_fault_point(const char *op, int step);

#endif
