/* Every feature, one line each. Expanded by the command registry (grammar,
 * linked into sluicectl) and the daemon's module registry. */
SL_FEATURE(drops)
SL_FEATURE(sets)
SL_FEATURE(mcast)
SL_FEATURE(tcp)
SL_FEATURE(xps)
SL_FEATURE(send)
SL_FEATURE(sctp)
