# One set of tests/netns/test_sets_ipset_oracle.sh: its entries and the
# elements to probe, drawn from a fixed seed.
#   awk -v dir=D -v name=N -v type=hash:net -v fam=inet|inet6|- -v opts="timeout 0" \
#       -v seed=S -v lines=L -v short=T -f sets_oracle_gen.awk
# writes into D:
#   N.kernel, N.sluice   `ipset restore` input for the kernel and for sluiced
#   N.probes             "ELEM KERNEL_ELEM" per line
#   N.short.kernel, N.short.sluice, N.short.probes
#                        entries with a `timeout T` of T seconds (and the
#                        entries around them), probed as "ELEM KERNEL_ELEM
#                        BEFORE AFTER": the answer while they live and once
#                        they expired; only for a set created with a
#                        timeout (opts), whose entries also get one now and
#                        then (a plain set's cannot)
# The two inputs differ only for hash:mac, which this kernel lacks: there the
# kernel gets bitmap:ip,mac with one address per MAC, and the kernel element
# of a probe names the address of its MAC (or one without an entry).
#
# Addresses come from 10.1-3.x.x (2001:db8:1-3::/48), the short entries'
# from 10.200-201.x.x (2001:db8:c8-c9::/48), ports below 4000 (short ones
# from 4000), MACs 02:00-c7:... (short ones 02:c8:...): no main probe ever
# touches an entry that may expire, and sl-probe's fillers (192.0.2.254,
# 3fff::fe, port 65000, 02:ff:ff:ff:ff:fe) are in no set.

function rnd(n) { return int(rand() * n) }

# --- addresses: arrays of U units of W bits --------------------------------
function pool_addr(a) {
	if (v6) {
		a[0] = 8193; a[1] = 3512; a[2] = 1 + rnd(3); a[3] = rnd(8)
		a[4] = 0; a[5] = 0; a[6] = rnd(4); a[7] = rnd(65536)
	} else {
		a[0] = 10; a[1] = 1 + rnd(3); a[2] = rnd(8); a[3] = rnd(256)
	}
}
function fmt(a,    s, i) {
	s = v6 ? sprintf("%x", a[0]) : a[0]
	for (i = 1; i < U; i++)
		s = s (v6 ? sprintf(":%x", a[i]) : "." a[i])
	return s
}
function copy(a, b,    i) { for (i = 0; i < U; i++) b[i] = a[i] }
# b = a with the bits below prefix c cleared (hostbits 0) or drawn at random
function prefix(a, c, b, hostbits,    i, k, span) {
	for (i = 0; i < U; i++) {
		k = c - i * W
		if (k >= W) { b[i] = a[i]; continue }
		if (k < 0) k = 0
		span = 2 ^ (W - k)
		b[i] = int(a[i] / span) * span + (hostbits ? rnd(span) : 0)
	}
}
function near(a, b) { copy(a, b); b[U - 1] = (b[U - 1] + 1) % (2 ^ W) }

# --- the other parts of an element --------------------------------------------
function pool_port(    r) {
	r = rand()
	if (r < 0.4) return "tcp:" (1 + rnd(3999))
	if (r < 0.7) return "udp:" (1 + rnd(3999))
	if (r < 0.8) return "sctp:" (1 + rnd(3999))
	# ICMP types ipset has no name for, so its save prints them as numbers
	return v6 ? "icmpv6:" (140 + rnd(20)) "/" rnd(4) : "icmp:" (19 + rnd(20)) "/" rnd(4)
}
function near_port(p,    n, i, t) {
	i = index(p, ":")
	if (p ~ /^icmp/) { n = split(substr(p, i + 1), t, "/"); return substr(p, 1, i) t[1] "/" (t[2] + 1) % 256 }
	return substr(p, 1, i) (substr(p, i + 1) + 1)
}
function other_proto(p) {
	if (p ~ /^tcp:/) return "udp" substr(p, 4)
	if (p ~ /^udp:/) return "tcp" substr(p, 4)
	return p
}
function pool_mac() { return sprintf("02:%02x:%02x:%02x:%02x:%02x", rnd(200), rnd(256), rnd(256), rnd(256), rnd(256)) }
function near_mac(m,    last) {
	last = index("0123456789abcdef", substr(m, 16, 1)) * 16 + index("0123456789abcdef", substr(m, 17, 1)) - 17
	return substr(m, 1, 15) sprintf("%02x", (last + 1) % 256)
}

# --- output ----------------------------------------------------------------------
# an entry, unless the kernel would call it a duplicate
function add(elem, extra,    kelem) {
	if (elem in have) return 0
	have[elem] = 1
	if (kind == "mac") {
		macip[elem] = "10.0." int(nmac / 256) "." (nmac % 256)
		nmac++
		kelem = macip[elem] "," elem
	} else
		kelem = elem
	if (timed && rand() < 0.2) extra = extra " timeout 600"
	print "add " name " " kelem extra > (out ".kernel")
	print "add " name " " elem extra > (out ".sluice")
	return 1
}
function kernel_elem(e) {
	if (kind != "mac") return e
	return (e in macip ? macip[e] : "10.0.255.254") "," e
}
function probe(e) { if (!(e in probed)) { probed[e] = 1; print e " " kernel_elem(e) > (out ".probes") } }

# short-lived entries and their probes (sh: "ELEM EXTRA" lines, one string)
function short_add(e, extra,    ke) {
	ke = kind == "mac" ? "10.0.200." (++nshort) "," e : e
	if (kind == "mac") smacip[e] = "10.0.200." nshort
	print "add " name " " ke extra > (out ".short.kernel")
	print "add " name " " e extra > (out ".short.sluice")
}
function short_probe(e, before, after) {
	print e " " (kind == "mac" ? (e in smacip ? smacip[e] : "10.0.255.254") "," e : e) " " before " " after > (out ".short.probes")
}

# --- one entry (and the probes it brings) per kind ----------------------------------
function entry_ip(    a, b) {
	pool_addr(a)
	if (!add(fmt(a), "")) return
	probe(fmt(a)); near(a, b); probe(fmt(b))
}
function entry_net(depth, a, c, port,    b, h, c2, e, sfx) {
	sfx = port == "" ? "" : "," port
	prefix(a, c, b, 0)
	e = fmt(b) "/" c
	if (!add(e sfx, depth % 2 ? " nomatch" : "")) return
	prefix(b, c, h, 1); probe(fmt(h) sfx)
	prefix(b, c, h, 1); probe(fmt(h) sfx)
	if (port != "") { probe(fmt(h) "," near_port(port)); probe(fmt(h) "," other_proto(port)) }
	# an exception inside (nomatch), and a live net inside that
	if (depth < 2 && c < maxc && rand() < 0.35) {
		c2 = c + 1 + rnd(maxc - c < 8 ? maxc - c : 8)
		prefix(b, c, h, 1)
		entry_net(depth + 1, h, c2, port)
	}
}
function entry_ipport(    a, b, p) {
	pool_addr(a); p = pool_port()
	if (!add(fmt(a) "," p, "")) return
	near(a, b)
	probe(fmt(a) "," p); probe(fmt(b) "," p); probe(fmt(a) "," near_port(p)); probe(fmt(a) "," other_proto(p))
	ports[nports++] = p; addrs[naddrs++] = fmt(a)
}
function entry_ipportip(    a, a2, b, p) {
	pool_addr(a); pool_addr(a2); p = pool_port()
	if (!add(fmt(a) "," p "," fmt(a2), "")) return
	near(a2, b)
	probe(fmt(a) "," p "," fmt(a2)); probe(fmt(a) "," p "," fmt(b)); probe(fmt(a) "," near_port(p) "," fmt(a2))
	probe(fmt(a2) "," p "," fmt(a))
}
function entry_mac(    m) {
	m = pool_mac()
	if (!add(m, "")) return
	probe(m); probe(near_mac(m))
}
function entry_port(    p) {
	p = rnd(4000)
	if (!add(p, "")) return
	probe(p); probe((p + 1) % 4000)
}

# short entries: T seconds of life, with what each probe answers before and after
function shorts(    A, B, C, D, E, sfx, x, j) {
	T = " timeout " short
	if (kind == "net" || kind == "netport") {
		sfx = kind == "net" ? "" : (v6 ? ",udp:4001" : ",tcp:4000")
		if (v6) { A = "2001:db8:c8::/48"; B = "2001:db8:c8:1::/64"; C = "2001:db8:c8:2::/63"; D = "2001:db8:c8:2::/65"; E = "2001:db8:c9::/64" }
		else { A = "10.200.0.0/16"; B = "10.200.1.0/24"; C = "10.200.2.0/23"; D = "10.200.2.0/25"; E = "10.201.0.0/24" }
		short_add(A sfx, ""); short_add(B sfx, " nomatch" T); short_add(C sfx, " nomatch")
		short_add(D sfx, T); short_add(E sfx, T)
		x = v6 ? "2001:db8:c8:" : "10.200."
		short_probe(x (v6 ? "1::5" : "1.5") sfx, "nomatch", "match")    # expired exception: the /16 again
		short_probe(x (v6 ? "2::7" : "2.7") sfx, "match", "nomatch")    # expired net: the exception around it
		short_probe((v6 ? "2001:db8:c9::3" : "10.201.0.3") sfx, "match", "nomatch")
		short_probe(x (v6 ? "7::7" : "7.7") sfx, "match", "match")
		return
	}
	x = v6 ? "2001:db8:c8::" : "10.200.0."
	if (kind == "ip") { A = x "1"; B = x "9" }
	if (kind == "ipport") { A = x "1,udp:4001"; B = x "1,tcp:4001" }
	if (kind == "ipportip") { A = x "1,tcp:4000," x "2"; B = x "1,tcp:4000," x "3" }
	if (kind == "mac") { A = "02:c8:00:00:00:01"; B = "02:c8:00:00:00:02" }
	if (kind == "port") { A = "4001"; B = "4002" }
	short_add(A, T); short_add(B, "")
	short_probe(A, "match", "nomatch"); short_probe(B, "match", "match")
}

BEGIN {
	srand(seed)
	timed = opts ~ /timeout/
	v6 = fam == "inet6"; W = v6 ? 16 : 8; U = v6 ? 8 : 4
	maxc = v6 ? 128 : 32; minc = v6 ? 48 : 14
	split("hash:ip ip hash:net net hash:ip,port ipport hash:net,port netport hash:ip,port,ip ipportip hash:mac mac bitmap:port port", t, " ")
	for (i = 1; i in t; i += 2) kinds[t[i]] = t[i + 1]
	kind = kinds[type]
	out = dir "/" name
	if (kind == "mac") print "create " name " bitmap:ip,mac range 10.0.0.0/16 " opts > (out ".kernel")
	else print "create " name " " type (fam == "-" ? "" : " family " fam) " " opts > (out ".kernel")
	print "create " name " " type (fam == "-" ? "" : " family " fam) " " opts > (out ".sluice")
	for (n = 0; n < lines; n++) {
		if (kind == "ip") entry_ip()
		else if (kind == "net" || kind == "netport") {
			pool_addr(a)
			entry_net(0, a, minc + rnd(maxc - minc + 1), kind == "net" ? "" : pool_port())
		} else if (kind == "ipport") entry_ipport()
		else if (kind == "ipportip") entry_ipportip()
		else if (kind == "mac") entry_mac()
		else entry_port()
	}
	# random elements of the same pools, and members' parts mixed up
	for (n = 0; n < 40; n++) {
		pool_addr(a)
		if (kind == "ip" || kind == "net") probe(fmt(a))
		else if (kind == "ipport") probe(addrs[rnd(naddrs)] "," ports[rnd(nports)])
		else if (kind == "netport") probe(fmt(a) "," pool_port())
		else if (kind == "ipportip") { pool_addr(b); probe(fmt(a) "," pool_port() "," fmt(b)) }
		else if (kind == "mac") probe(pool_mac())
		else probe(rnd(4000))
	}
	if (timed) shorts()
}
