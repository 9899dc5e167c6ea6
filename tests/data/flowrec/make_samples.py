#!/usr/bin/env python3
"""Writes the VPC Flow Log and Resolver query log samples in this folder.

Every figure the tests assert is stated next to the line that produces it,
so the expected counts come from this file, not from picket.
"""
import gzip
import os

HERE = os.path.dirname(os.path.abspath(__file__))
T = 1700000000  # 2023-11-14T22:13:20Z


def write(name, text, gz=False, cut=0):
    data = text.encode()
    if gz:
        data = gzip.compress(data, mtime=0)
        if cut:
            data = data[:-cut]  # a download or copy cut short
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data)


# Default version 2 format, no header (as exported from CloudWatch Logs).
# 6 records (4 ACCEPT, 2 REJECT), 1 NODATA, 1 SKIPDATA, 1 IPv6, 1 ICMP.
v2 = f"""2 123456789012 eni-0a1 10.0.1.5 10.0.2.9 49152 22 6 20 4249 {T} {T+60} ACCEPT OK
2 123456789012 eni-0a1 10.0.2.9 10.0.1.5 22 49152 6 18 6520 {T} {T+60} ACCEPT OK
2 123456789012 eni-0a1 198.51.100.7 10.0.1.5 40000 3389 6 1 40 {T+5} {T+5} REJECT OK
2 123456789012 eni-0a1 2001:db8::10 2001:db8::20 50000 443 6 10 1200 {T+6} {T+50} ACCEPT OK
2 123456789012 eni-0a1 10.0.1.5 10.0.1.7 0 0 1 4 336 {T+7} {T+8} ACCEPT OK
2 123456789012 eni-0a1 - - - - - - - {T+60} {T+120} - NODATA
2 123456789012 eni-0a1 - - - - - - - {T+60} {T+120} - SKIPDATA
2 123456789012 eni-0a1 203.0.113.9 10.0.1.5 5353 53 17 1 70 {T+9} {T+9} REJECT OK
"""
write('vpc_v2_default.log', v2)

# The same records as delivered to S3: header line, gzip.
write('vpc_v2_header.log.gz',
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n'
      + v2, gz=True)

# A custom version 5 format: fields in another order, pkt-srcaddr behind a
# NAT gateway, tcp-flags, flow-direction. 3 records: the first uses
# pkt-srcaddr 192.0.2.44 (not the NAT's 10.0.3.3); tcp-flags 2 = SYN only.
v5 = f"""version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction traffic-path
5 vpc-1 subnet-1 i-1 eni-1 123456789012 IPv4 10.0.3.3 10.0.1.5 41000 443 192.0.2.44 10.0.1.5 6 60 1 {T+1} {T+1} ACCEPT 2 OK ingress -
5 vpc-1 subnet-1 i-1 eni-1 123456789012 IPv4 10.0.1.5 10.0.3.3 443 41000 10.0.1.5 192.0.2.44 6 40 1 {T+1} {T+1} ACCEPT 20 OK egress 1
5 vpc-1 subnet-1 i-1 eni-1 123456789012 IPv6 2001:db8::5 2001:db8::9 33000 80 2001:db8::5 2001:db8::9 6 500 5 {T+2} {T+3} ACCEPT 27 OK egress 2
"""
write('vpc_v5_custom.log', v5)

# Broken lines: 2 good records and 6 errors, each on a known line:
#   line 2 field count, 3 address, 4 port, 5 time, 6 action, 8 tcp-flags.
broken = f"""version srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status
2 10.0.0.1 10.0.0.2 1 2 17 1 60 {T}
2 10.0.0.999 10.0.0.2 1 2 17 1 60 {T} {T} ACCEPT - OK
2 10.0.0.1 10.0.0.2 1 99999 17 1 60 {T} {T} ACCEPT - OK
2 10.0.0.1 10.0.0.2 1 2 17 1 60 164000066 {T} ACCEPT - OK
2 10.0.0.1 10.0.0.2 1 2 17 1 60 {T} {T} MAYBE - OK
2 10.0.0.1 10.0.0.2 1000 2000 17 1 60 {T} {T} ACCEPT - OK
2 10.0.0.1 10.0.0.2 1 2 6 1 60 {T} {T} ACCEPT 300 OK

2 10.0.0.3 10.0.0.4 1000 2000 17 1 60 {T} {T} ACCEPT - OK
"""
write('vpc_broken.log', broken)

# 200 good records, gzip cut 40 bytes short: 196 complete lines remain (zcat | wc -l), then a truncation report.
many = ''.join(f'2 123456789012 eni-0a1 10.0.0.1 10.0.9.{i % 250} 40000 {1000 + i} 6 1 60 {T + i} {T + i} REJECT OK\n'
               for i in range(200))
write('vpc_truncated.log.gz', many, gz=True, cut=40)


def q(ts, name, qtype, rcode, answers, src='10.0.1.5', port='55123', transport='UDP'):
    ans = ','.join('{"Rdata":"%s","Type":"%s","Class":"IN"}' % a for a in answers)
    return ('{"version":"1.100000","account_id":"123456789012","region":"us-east-1","vpc_id":"vpc-1",'
            f'"query_timestamp":"{ts}","query_name":"{name}","query_type":"{qtype}","query_class":"IN",'
            f'"rcode":"{rcode}","answers":[{ans}],"srcaddr":"{src}","srcport":"{port}",'
            f'"transport":"{transport}","srcids":{{"instance":"i-1"}}}}\n')


# 5 entries: A with 2 addresses, AAAA, NXDOMAIN (no answers), CNAME chain
# ending in an A, TCP TXT with an escaped quote in the answer.
resolver = (q('2023-11-14T22:13:20Z', 'Example.COM.', 'A', 'NOERROR', [('93.184.216.34', 'A'), ('93.184.216.35', 'A')])
            + q('2023-11-14T22:13:21Z', 'example.com.', 'AAAA', 'NOERROR', [('2606:2800:220:1::1', 'AAAA')])
            + q('2023-11-14T22:13:22.250Z', 'qx7hd9a0.invalid.', 'A', 'NXDOMAIN', [])
            + q('2023-11-14T22:13:23Z', 'www.example.org.', 'A', 'NOERROR',
                [('example.org.', 'CNAME'), ('93.184.216.36', 'A')])
            + q('2023-11-14T22:13:24Z', 'txt.example.net.', 'TXT', 'NOERROR', [('\\"v=spf1 -all\\"', 'TXT')],
                transport='TCP'))
write('resolver.log', resolver)
write('resolver.log.gz', resolver, gz=True)

# Broken lines: 1 good entry (line 1) and 4 errors: line 2 not JSON, 3 cut
# mid-object, 4 unknown rcode, 5 bad timestamp; line 6 is blank.
broken_r = (q('2023-11-14T22:13:20Z', 'ok.example.', 'A', 'NOERROR', [('192.0.2.1', 'A')])
            + 'not json at all\n'
            + q('2023-11-14T22:13:21Z', 'cut.example.', 'A', 'NOERROR', [])[:80] + '\n'
            + q('2023-11-14T22:13:22Z', 'x.example.', 'A', 'WHATEVER', [])
            + q('2023-11-14T25:13:22Z', 'y.example.', 'A', 'NOERROR', [])
            + '\n')
write('resolver_broken.log', broken_r)

# 100 entries, gzip cut short: 97 complete lines remain.
many_r = ''.join(q(f'2023-11-14T22:{13 + i // 60:02d}:{i % 60:02d}Z', f'h{i}.example.', 'A', 'NOERROR',
                   [('192.0.2.%d' % (i % 250), 'A')]) for i in range(100))
write('resolver_truncated.log.gz', many_r, gz=True, cut=30)
