/* Default locations shared by sluiced and sluicectl (design brief). */
#ifndef SLUICE_PATHS_H
#define SLUICE_PATHS_H

#define SL_DEFAULT_PIN_ROOT "/sys/fs/bpf/sluice"
#define SL_DEFAULT_SOCKET   "/run/sluice/sluiced.sock"

#endif
