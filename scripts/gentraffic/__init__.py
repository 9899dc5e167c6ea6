"""gentraffic: deterministic synthetic pcap generator for picket tests.

Everything here is python3 standard library only.  Header layouts follow the
RFCs (791 IPv4, 8200 IPv6, 793/9293 TCP, 768 UDP, 792 ICMP, 1035 DNS,
8446 TLS 1.3, 7348 VXLAN, 8926 Geneve, 2784/2890 GRE) and the
tcpdump.org link-layer header type descriptions.
"""
