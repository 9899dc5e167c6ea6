// NetFlow v5 / v9 / IPFIX parsers: byte fixtures, truncated and malformed
// datagrams, templates, options, sampling, sequence numbers, limits.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "picket/flowrec/collector.hpp"
#include "picket/flowrec/source.hpp"

namespace picket::flowrec {
namespace {

using test::Bytes;

struct Collect : RecordSink {
  std::vector<UniFlow> flows;
  void on_flow(const UniFlow& f) override { flows.push_back(f); }
};

core::IpAddr v4(const char* s) { return *core::IpAddr::parse(s); }
const core::IpAddr kExporter = *core::IpAddr::parse("192.0.2.1");
constexpr std::uint64_t kMs = 1'000'000ULL;

std::uint64_t err(const ExporterStats& s, ErrorReason r) { return s.errors[static_cast<std::size_t>(r)]; }

// ---- NetFlow v5 ------------------------------------------------------------

Bytes v5_header(unsigned count, std::uint32_t uptime_ms, std::uint32_t secs, std::uint32_t seq, unsigned sampling = 0) {
  Bytes h;
  h.u16(5).u16(count).u32(uptime_ms).u32(secs).u32(0).u32(seq).u8(0).u8(0).u16(sampling);
  return h;
}

Bytes v5_record(const char* src, const char* dst, unsigned sport, unsigned dport, unsigned proto, unsigned flags,
                std::uint32_t pkts, std::uint32_t bytes, std::uint32_t first_ms, std::uint32_t last_ms) {
  Bytes r;
  const auto s = v4(src), d = v4(dst);
  for (int i = 12; i < 16; ++i) r.u8(s.bytes[i]);
  for (int i = 12; i < 16; ++i) r.u8(d.bytes[i]);
  r.u32(0).u16(1).u16(2).u32(pkts).u32(bytes).u32(first_ms).u32(last_ms).u16(sport).u16(dport);
  r.u8(0).u8(flags).u8(proto).u8(0).u16(0).u16(0).u8(24).u8(24).u16(0);
  return r;
}

TEST(NetflowV5, DecodesRecordsWithAbsoluteTimes) {
  Bytes d = v5_header(2, 100'000, 1'700'000'000, 7);
  d.append(v5_record("10.0.0.1", "10.0.0.2", 40000, 22, 6, 0x1b, 10, 1500, 90'000, 99'000));
  d.append(v5_record("10.0.0.2", "10.0.0.1", 0, 0x0800, 1, 0, 1, 84, 95'000, 95'000));
  ASSERT_EQ(d.size(), 24u + 2 * 48);
  FlowCollector c;
  Collect out;
  c.on_datagram(d.b.data(), d.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 2u);
  const UniFlow& a = out.flows[0];
  EXPECT_EQ(a.src, v4("10.0.0.1"));
  EXPECT_EQ(a.dst, v4("10.0.0.2"));
  EXPECT_EQ(a.sport, 40000);
  EXPECT_EQ(a.dport, 22);
  EXPECT_EQ(a.proto, 6);
  EXPECT_EQ(a.tcp_flags, 0x1b);
  EXPECT_EQ(a.packets, 10u);
  EXPECT_EQ(a.bytes, 1500u);
  EXPECT_EQ(a.source, static_cast<std::uint8_t>(Source::kNetflowV5));
  // Export at uptime 100 s = 1700000000 s; the flow started 10 s and ended 1 s before.
  EXPECT_EQ(a.first, 1'700'000'000ULL * core::kNanosPerSecond - 10'000 * kMs);
  EXPECT_EQ(a.last, 1'700'000'000ULL * core::kNanosPerSecond - 1'000 * kMs);
  // ICMP type/code travel in the destination port: 0x0800 = echo request.
  EXPECT_EQ(out.flows[1].icmp_type, 8);
  EXPECT_EQ(out.flows[1].dport, 0);
  const auto st = c.stats();
  EXPECT_EQ(st.records, 2u);
  EXPECT_EQ(st.records_by_version[0], 2u);
  EXPECT_EQ(st.exporters.at(0).error_total(), 0u);
}

TEST(NetflowV5, ScalesBySamplingInterval) {
  Bytes d = v5_header(1, 1000, 1'700'000'000, 0, 0x4000 | 100);  // mode 1, 1 in 100
  d.append(v5_record("10.0.0.1", "10.0.0.2", 1, 2, 17, 0, 3, 300, 500, 600));
  FlowCollector c;
  Collect out;
  c.on_datagram(d.b.data(), d.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 1u);
  EXPECT_EQ(out.flows[0].packets, 300u);
  EXPECT_EQ(out.flows[0].bytes, 30000u);
}

TEST(NetflowV5, CountsTruncatedAndBadCounts) {
  FlowCollector c;
  Collect out;
  Bytes d = v5_header(2, 1000, 1, 0);
  d.append(v5_record("10.0.0.1", "10.0.0.2", 1, 2, 17, 0, 1, 1, 1, 1));  // says 2, holds 1
  c.on_datagram(d.b.data(), d.size(), kExporter, out);
  c.on_datagram(d.b.data(), 10, kExporter, out);  // shorter than the header
  Bytes zero = v5_header(0, 1, 1, 0);
  c.on_datagram(zero.b.data(), zero.size(), kExporter, out);
  Bytes many = v5_header(31, 1, 1, 0);
  c.on_datagram(many.b.data(), many.size(), kExporter, out);
  EXPECT_TRUE(out.flows.empty());
  const auto ex = c.stats().exporters.at(0);
  EXPECT_EQ(ex.datagrams, 4u);
  EXPECT_EQ(err(ex, ErrorReason::kTruncated), 2u);
  EXPECT_EQ(err(ex, ErrorReason::kBadRecord), 2u);
}

TEST(NetflowV5, SequenceGapsAndResets) {
  FlowCollector c;
  Collect out;
  auto send = [&](std::uint32_t seq, unsigned n) {
    Bytes d = v5_header(n, 1000, 1, seq);
    for (unsigned i = 0; i < n; ++i) d.append(v5_record("10.0.0.1", "10.0.0.2", 1, 2, 17, 0, 1, 1, 1, 1));
    c.on_datagram(d.b.data(), d.size(), kExporter, out);
  };
  send(100, 2);  // next expected 102
  send(102, 3);  // in order: 105
  send(110, 1);  // 5 records lost
  send(50, 1);   // went backwards: restart
  const auto ex = c.stats().exporters.at(0);
  EXPECT_EQ(ex.sequence_gaps, 1u);
  EXPECT_EQ(ex.sequence_missing, 5u);
  EXPECT_EQ(ex.sequence_resets, 1u);
}

// ---- NetFlow v9 ------------------------------------------------------------

Bytes v9_header(unsigned count, std::uint32_t uptime_ms, std::uint32_t secs, std::uint32_t seq, std::uint32_t source_id) {
  Bytes h;
  h.u16(9).u16(count).u32(uptime_ms).u32(secs).u32(seq).u32(source_id);
  return h;
}

// Template 256: src4 dst4 sport dport proto flags bytes(4) pkts(4) first last.
Bytes v9_template_set(unsigned id = 256) {
  Bytes s;
  s.u16(0).u16(0).u16(id).u16(10);
  s.u16(8).u16(4).u16(12).u16(4).u16(7).u16(2).u16(11).u16(2).u16(4).u16(1).u16(6).u16(1);
  s.u16(1).u16(4).u16(2).u16(4).u16(22).u16(4).u16(21).u16(4);
  s.patch16(2, s.size());
  return s;
}

Bytes v9_data_set(unsigned id, std::initializer_list<std::uint32_t> pkts) {
  Bytes s;
  s.u16(id).u16(0);
  unsigned i = 0;
  for (auto p : pkts) {
    s.ip4(10, 1, 1, 1 + i).ip4(10, 2, 2, 2).u16(50000 + i).u16(443).u8(6).u8(0x12).u32(p * 100).u32(p);
    s.u32(5000).u32(6000);
    ++i;
  }
  while (s.size() % 4) s.u8(0);  // padding
  s.patch16(2, s.size());
  return s;
}

TEST(NetflowV9, TemplateThenDataInOneDatagram) {
  Bytes d = v9_header(3, 10'000, 1'700'000'000, 1, 42);
  d.append(v9_template_set()).append(v9_data_set(256, {3, 4}));
  FlowCollector c;
  Collect out;
  c.on_datagram(d.b.data(), d.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 2u);
  EXPECT_EQ(out.flows[0].src, v4("10.1.1.1"));
  EXPECT_EQ(out.flows[1].src, v4("10.1.1.2"));
  EXPECT_EQ(out.flows[1].sport, 50001);
  EXPECT_EQ(out.flows[1].dport, 443);
  EXPECT_EQ(out.flows[1].packets, 4u);
  EXPECT_EQ(out.flows[1].bytes, 400u);
  EXPECT_EQ(out.flows[0].tcp_flags, 0x12);
  EXPECT_TRUE(out.flows[0].tcp_flags_known);
  EXPECT_EQ(out.flows[0].first, 1'700'000'000ULL * core::kNanosPerSecond - 5'000 * kMs);
  EXPECT_EQ(out.flows[0].last, 1'700'000'000ULL * core::kNanosPerSecond - 4'000 * kMs);
  EXPECT_EQ(out.flows[0].source, static_cast<std::uint8_t>(Source::kNetflowV9));
  const auto ex = c.stats().exporters.at(0);
  EXPECT_EQ(ex.templates, 1u);
  EXPECT_EQ(ex.error_total(), 0u);
}

TEST(NetflowV9, DataBeforeTemplateIsCountedThenDecodedOnceTemplateArrives) {
  FlowCollector c;
  Collect out;
  Bytes data_only = v9_header(1, 10'000, 1'700'000'000, 1, 42);
  data_only.append(v9_data_set(256, {1}));
  c.on_datagram(data_only.b.data(), data_only.size(), kExporter, out);
  EXPECT_TRUE(out.flows.empty());
  EXPECT_EQ(err(c.stats().exporters.at(0), ErrorReason::kNoTemplate), 1u);
  // Templates are per source id: the same id from another source id does not count.
  Bytes other = v9_header(1, 10'000, 1'700'000'000, 1, 43);
  other.append(v9_template_set());
  c.on_datagram(other.b.data(), other.size(), kExporter, out);
  Bytes again = v9_header(1, 10'000, 1'700'000'000, 2, 42);
  again.append(v9_data_set(256, {1}));
  c.on_datagram(again.b.data(), again.size(), kExporter, out);
  EXPECT_TRUE(out.flows.empty());
  Bytes tpl = v9_header(1, 10'000, 1'700'000'000, 3, 42);
  tpl.append(v9_template_set());
  c.on_datagram(tpl.b.data(), tpl.size(), kExporter, out);
  c.on_datagram(again.b.data(), again.size(), kExporter, out);
  EXPECT_EQ(out.flows.size(), 1u);
  // ...and not for another exporter address either.
  c.on_datagram(again.b.data(), again.size(), v4("192.0.2.99"), out);
  EXPECT_EQ(out.flows.size(), 1u);
}

TEST(NetflowV9, TemplateRefreshChangesLayout) {
  FlowCollector c;
  Collect out;
  Bytes d = v9_header(2, 10'000, 1'700'000'000, 1, 1);
  d.append(v9_template_set()).append(v9_data_set(256, {1}));
  c.on_datagram(d.b.data(), d.size(), kExporter, out);
  // Redefine 256 as IPv6 src/dst + ports + proto + packets.
  Bytes t;
  t.u16(0).u16(0).u16(256).u16(6).u16(27).u16(16).u16(28).u16(16).u16(7).u16(2).u16(11).u16(2).u16(4).u16(1).u16(2).u16(4);
  t.patch16(2, t.size());
  Bytes data;
  data.u16(256).u16(0);
  for (int i = 0; i < 15; ++i) data.u8(0x20);
  data.u8(1);
  for (int i = 0; i < 15; ++i) data.u8(0x20);
  data.u8(2);
  data.u16(1234).u16(53).u8(17).u32(9);
  while (data.size() % 4) data.u8(0);
  data.patch16(2, data.size());
  Bytes d2 = v9_header(2, 10'000, 1'700'000'000, 2, 1);
  d2.append(t).append(data);
  c.on_datagram(d2.b.data(), d2.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 2u);
  EXPECT_FALSE(out.flows[1].src.is_v4());
  EXPECT_EQ(out.flows[1].src.bytes[15], 1);
  EXPECT_EQ(out.flows[1].dport, 53);
  EXPECT_EQ(out.flows[1].packets, 9u);
  EXPECT_FALSE(out.flows[1].tcp_flags_known);
  // No time fields: the export time stands for both ends.
  EXPECT_EQ(out.flows[1].first, 1'700'000'000ULL * core::kNanosPerSecond);
  EXPECT_EQ(c.stats().exporters.at(0).templates, 2u);
  EXPECT_EQ(c.stats().templates_cached, 1u);
}

TEST(NetflowV9, OptionsTemplateSamplingScalesLaterRecords) {
  FlowCollector c;
  Collect out;
  Bytes opt;  // options template 300: scope System(1) len 4; SAMPLING_INTERVAL(34) len 4
  opt.u16(1).u16(0).u16(300).u16(4).u16(4).u16(1).u16(4).u16(34).u16(4);
  opt.u16(0);  // padding
  opt.patch16(2, opt.size());
  Bytes optdata;
  optdata.u16(300).u16(0).u32(0).u32(64);
  optdata.patch16(2, optdata.size());
  Bytes d = v9_header(4, 10'000, 1'700'000'000, 1, 7);
  d.append(opt).append(optdata).append(v9_template_set()).append(v9_data_set(256, {2}));
  c.on_datagram(d.b.data(), d.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 1u);
  EXPECT_EQ(out.flows[0].packets, 128u);
  EXPECT_EQ(out.flows[0].bytes, 200u * 64);
  const auto ex = c.stats().exporters.at(0);
  EXPECT_EQ(ex.options_records, 1u);
  EXPECT_EQ(ex.templates, 2u);
  EXPECT_EQ(ex.error_total(), 0u);
}

TEST(NetflowV9, MalformedFlowsetsAreCounted) {
  FlowCollector c;
  Collect out;
  Bytes d = v9_header(1, 1, 1, 1, 1);
  d.append(v9_template_set());
  Bytes past = d;
  past.patch16(22, 400);  // flowset length beyond the datagram
  c.on_datagram(past.b.data(), past.size(), kExporter, out);
  Bytes tiny = d;
  tiny.patch16(22, 2);  // shorter than its own header
  c.on_datagram(tiny.b.data(), tiny.size(), kExporter, out);
  Bytes reserved = v9_header(1, 1, 1, 2, 1);
  reserved.u16(5).u16(8).u32(0);
  c.on_datagram(reserved.b.data(), reserved.size(), kExporter, out);
  Bytes zero_len = v9_header(1, 1, 1, 3, 1);
  zero_len.u16(0).u16(12).u16(256).u16(1).u16(8).u16(0);  // a zero-length field
  c.on_datagram(zero_len.b.data(), zero_len.size(), kExporter, out);
  Bytes low_id = v9_header(1, 1, 1, 4, 1);
  low_id.u16(0).u16(12).u16(10).u16(1).u16(8).u16(4);  // template id below 256
  c.on_datagram(low_id.b.data(), low_id.size(), kExporter, out);
  c.on_datagram(d.b.data(), 19, kExporter, out);
  const auto ex = c.stats().exporters.at(0);
  EXPECT_EQ(err(ex, ErrorReason::kBadLength), 2u);
  EXPECT_EQ(err(ex, ErrorReason::kReservedSet), 1u);
  EXPECT_EQ(err(ex, ErrorReason::kBadTemplate), 2u);
  EXPECT_EQ(err(ex, ErrorReason::kTruncated), 1u);
  EXPECT_EQ(c.stats().templates_cached, 0u);
}

TEST(NetflowV9, SequenceCountsDatagrams) {
  FlowCollector c;
  Collect out;
  for (std::uint32_t seq : {10u, 11u, 15u, 16u}) {
    Bytes d = v9_header(1, 1, 1, seq, 1);
    d.append(v9_template_set());
    c.on_datagram(d.b.data(), d.size(), kExporter, out);
  }
  const auto ex = c.stats().exporters.at(0);
  EXPECT_EQ(ex.sequence_gaps, 1u);
  EXPECT_EQ(ex.sequence_missing, 3u);
}

// ---- IPFIX -----------------------------------------------------------------

Bytes ipfix_message(std::uint32_t export_secs, std::uint32_t seq, std::uint32_t domain, const Bytes& sets) {
  Bytes m;
  m.u16(10).u16(0).u32(export_secs).u32(seq).u32(domain).append(sets);
  m.patch16(2, m.size());
  return m;
}

// Template 400: src4 dst4 sport dport proto flags(2) octets(8) packets(8)
// flowStartMilliseconds flowEndMilliseconds.
Bytes ipfix_template_set() {
  Bytes s;
  s.u16(2).u16(0).u16(400).u16(11);
  s.u16(8).u16(4).u16(12).u16(4).u16(7).u16(2).u16(11).u16(2).u16(4).u16(1).u16(6).u16(2);
  s.u16(1).u16(8).u16(2).u16(8).u16(152).u16(8).u16(153).u16(8);
  s.u16(0x8000 | 2).u16(4).u32(9);  // an enterprise field (Cisco) to skip
  s.patch16(2, s.size());
  return s;
}

Bytes ipfix_data_set(unsigned n) {
  Bytes s;
  s.u16(400).u16(0);
  for (unsigned i = 0; i < n; ++i) {
    s.ip4(192, 168, 1, 10).ip4(198, 51, 100, 1 + i).u16(33000).u16(80).u8(6).u16(0x02);
    s.u64(60).u64(1).u64(1'700'000'000'000ULL + i).u64(1'700'000'000'500ULL + i).u32(0xdeadbeef);
  }
  s.patch16(2, s.size());
  return s;
}

TEST(Ipfix, DecodesTemplateAndData) {
  FlowCollector c;
  Collect out;
  Bytes sets = ipfix_template_set();
  sets.append(ipfix_data_set(3));
  Bytes m = ipfix_message(1'700'000'100, 0, 5, sets);
  c.on_datagram(m.b.data(), m.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 3u);
  EXPECT_EQ(out.flows[2].dst, v4("198.51.100.3"));
  EXPECT_EQ(out.flows[2].tcp_flags, 0x02);
  EXPECT_EQ(out.flows[2].bytes, 60u);
  EXPECT_EQ(out.flows[0].first, 1'700'000'000'000ULL * kMs);
  EXPECT_EQ(out.flows[0].last, 1'700'000'000'500ULL * kMs);
  EXPECT_EQ(out.flows[0].source, static_cast<std::uint8_t>(Source::kIpfix));
  EXPECT_EQ(c.stats().exporters.at(0).error_total(), 0u);
}

TEST(Ipfix, VariableLengthFieldsAreSkippedCorrectly) {
  FlowCollector c;
  Collect out;
  Bytes t;  // 401: interfaceName (82, variable) src4 dst4 packets(4) applicationName (96, variable)
  t.u16(2).u16(0).u16(401).u16(5).u16(82).u16(0xffff).u16(8).u16(4).u16(12).u16(4).u16(2).u16(4).u16(96).u16(0xffff);
  t.patch16(2, t.size());
  Bytes d;
  d.u16(401).u16(0);
  d.u8(3).raw({'e', 't', 'h'}).ip4(10, 0, 0, 1).ip4(10, 0, 0, 2).u32(5);
  d.u8(255).u16(300);  // long form: 300 bytes
  for (int i = 0; i < 300; ++i) d.u8('x');
  d.u8(0).ip4(10, 0, 0, 3).ip4(10, 0, 0, 4).u32(6).u8(0);  // empty strings
  d.patch16(2, d.size());
  Bytes sets = t;
  sets.append(d);
  Bytes m = ipfix_message(1'700'000'000, 0, 1, sets);
  c.on_datagram(m.b.data(), m.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 2u);
  EXPECT_EQ(out.flows[0].dst, v4("10.0.0.2"));
  EXPECT_EQ(out.flows[0].packets, 5u);
  EXPECT_EQ(out.flows[1].src, v4("10.0.0.3"));
  EXPECT_EQ(out.flows[1].packets, 6u);
  // A variable-length field whose length runs past the set is truncation, not a crash.
  Bytes bad;
  bad.u16(401).u16(0).u8(200);
  for (int i = 0; i < 20; ++i) bad.u8('a');
  bad.patch16(2, bad.size());
  Bytes m2 = ipfix_message(1'700'000'000, 2, 1, bad);
  c.on_datagram(m2.b.data(), m2.size(), kExporter, out);
  EXPECT_EQ(out.flows.size(), 2u);
  EXPECT_EQ(err(c.stats().exporters.at(0), ErrorReason::kTruncated), 1u);
}

TEST(Ipfix, WithdrawalRemovesTemplates) {
  FlowCollector c;
  Collect out;
  Bytes m = ipfix_message(1, 0, 5, ipfix_template_set());
  c.on_datagram(m.b.data(), m.size(), kExporter, out);
  EXPECT_EQ(c.stats().templates_cached, 1u);
  Bytes w;
  w.u16(2).u16(8).u16(400).u16(0);
  Bytes mw = ipfix_message(1, 0, 5, w);
  c.on_datagram(mw.b.data(), mw.size(), kExporter, out);
  EXPECT_EQ(c.stats().templates_cached, 0u);
  Bytes md = ipfix_message(1, 0, 5, ipfix_data_set(1));
  c.on_datagram(md.b.data(), md.size(), kExporter, out);
  EXPECT_TRUE(out.flows.empty());
  // Withdraw-all (template id 2) clears every data template of the domain.
  c.on_datagram(m.b.data(), m.size(), kExporter, out);
  Bytes all;
  all.u16(2).u16(8).u16(2).u16(0);
  Bytes ma = ipfix_message(1, 0, 5, all);
  c.on_datagram(ma.b.data(), ma.size(), kExporter, out);
  EXPECT_EQ(c.stats().templates_cached, 0u);
  const auto ex = c.stats().exporters.at(0);
  EXPECT_EQ(ex.template_withdrawals, 2u);
  EXPECT_EQ(err(ex, ErrorReason::kNoTemplate), 1u);
}

TEST(Ipfix, OptionsGiveSystemInitTimeAndSampling) {
  // softflowd's layout: options template 256 scope meteringProcessId, then
  // systemInitTimeMilliseconds, samplingPacketInterval, samplingPacketSpace;
  // data templates use flowStart/EndSysUpTime (22/21) relative to it.
  Bytes sets;
  sets.u16(3).u16(0).u16(256).u16(4).u16(1).u16(143).u16(4).u16(160).u16(8).u16(305).u16(4).u16(306).u16(4);
  sets.patch16(2, sets.size());
  Bytes od;
  od.u16(256).u16(0).u32(1).u64(1'600'000'000'000ULL).u32(1).u32(9);  // 1 in 10
  od.patch16(2, od.size());
  Bytes t;
  t.u16(2).u16(0).u16(1024).u16(5).u16(8).u16(4).u16(12).u16(4).u16(22).u16(4).u16(21).u16(4).u16(2).u16(4);
  t.patch16(2, t.size());
  Bytes dd;
  dd.u16(1024).u16(0).ip4(10, 0, 0, 1).ip4(10, 0, 0, 2).u32(2000).u32(3000).u32(7);
  dd.patch16(2, dd.size());
  sets.append(od).append(t).append(dd);
  Bytes m = ipfix_message(1'600'000'100, 0, 0, sets);
  FlowCollector c;
  Collect out;
  c.on_datagram(m.b.data(), m.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 1u);
  EXPECT_EQ(out.flows[0].first, (1'600'000'000'000ULL + 2000) * kMs);
  EXPECT_EQ(out.flows[0].last, (1'600'000'000'000ULL + 3000) * kMs);
  EXPECT_EQ(out.flows[0].packets, 70u);
  EXPECT_EQ(c.stats().exporters.at(0).options_records, 1u);
}

TEST(Ipfix, ReverseElementsFillTheOtherDirection) {
  Bytes t;
  t.u16(2).u16(0).u16(500).u16(5).u16(8).u16(4).u16(12).u16(4).u16(2).u16(4);
  t.u16(0x8000 | 2).u16(4).u32(kReversePen).u16(0x8000 | 1).u16(4).u32(kReversePen);
  t.patch16(2, t.size());
  Bytes d;
  d.u16(500).u16(0).ip4(10, 0, 0, 1).ip4(10, 0, 0, 2).u32(3).u32(4).u32(999);
  d.patch16(2, d.size());
  Bytes sets = t;
  sets.append(d);
  Bytes m = ipfix_message(1, 0, 0, sets);
  FlowCollector c;
  Collect out;
  c.on_datagram(m.b.data(), m.size(), kExporter, out);
  ASSERT_EQ(out.flows.size(), 1u);
  EXPECT_TRUE(out.flows[0].has_reverse);
  EXPECT_EQ(out.flows[0].rev_packets, 4u);
  EXPECT_EQ(out.flows[0].rev_bytes, 999u);
}

TEST(Ipfix, SequenceCountsDataRecordsAndBadLengthsAreCounted) {
  FlowCollector c;
  Collect out;
  Bytes sets = ipfix_template_set();
  sets.append(ipfix_data_set(2));
  Bytes m1 = ipfix_message(1, 0, 5, sets);
  c.on_datagram(m1.b.data(), m1.size(), kExporter, out);
  Bytes m2 = ipfix_message(1, 2, 5, ipfix_data_set(1));  // in order
  c.on_datagram(m2.b.data(), m2.size(), kExporter, out);
  Bytes m3 = ipfix_message(1, 13, 5, ipfix_data_set(1));  // 10 missing
  c.on_datagram(m3.b.data(), m3.size(), kExporter, out);
  Bytes longer = m3;
  longer.patch16(2, m3.size() + 10);  // message length beyond the datagram
  c.on_datagram(longer.b.data(), longer.size(), kExporter, out);
  const auto ex = c.stats().exporters.at(0);
  EXPECT_EQ(out.flows.size(), 4u);
  EXPECT_EQ(ex.sequence_gaps, 1u);
  EXPECT_EQ(ex.sequence_missing, 10u);
  EXPECT_EQ(err(ex, ErrorReason::kBadLength), 1u);
}

TEST(Collector, UnknownVersionAndLimits) {
  CollectorLimits lim;
  lim.max_exporters = 4;
  lim.max_templates = 3;
  lim.max_templates_per_exporter = 2;
  FlowCollector c(lim);
  Collect out;
  const std::uint8_t junk[] = {0, 7, 1, 2, 3};
  c.on_datagram(junk, sizeof(junk), kExporter, out);
  EXPECT_EQ(err(c.stats().exporters.at(0), ErrorReason::kBadVersion), 1u);
  for (int i = 0; i < 10; ++i) {
    const auto a = core::IpAddr::from_v4(0x0a000000u + i);
    for (unsigned id = 256; id < 260; ++id) {
      Bytes d = v9_header(1, 1, 1, id, 1);
      d.append(v9_template_set(id));
      c.on_datagram(d.b.data(), d.size(), a, out);
    }
  }
  const auto st = c.stats();
  EXPECT_EQ(st.exporters.size(), 4u);
  EXPECT_EQ(st.refused_datagrams, 7u * 4);  // the junk sender took one of the 4 slots
  EXPECT_EQ(st.templates_cached, 3u);
  EXPECT_EQ(err(st.exporters[1], ErrorReason::kTemplateLimit), 2u);  // 2 fit, 2 refused
  EXPECT_EQ(err(st.exporters[2], ErrorReason::kTemplateLimit), 3u);  // 1 fits: the cache is full
}

TEST(Collector, RandomGarbageNeverCrashesAndStaysBounded) {
  CollectorLimits lim;
  lim.max_exporters = 16;
  FlowCollector c(lim);
  Collect out;
  std::mt19937 rng(1234);
  std::vector<std::uint8_t> buf(1500);
  for (int i = 0; i < 20000; ++i) {
    const std::size_t n = rng() % buf.size();
    for (std::size_t j = 0; j < n; ++j) buf[j] = static_cast<std::uint8_t>(rng());
    if (n >= 2) buf[1] = static_cast<std::uint8_t>(std::array<int, 3>{5, 9, 10}[rng() % 3]), buf[0] = 0;
    c.on_datagram(buf.data(), n, core::IpAddr::from_v4(rng()), out);
  }
  const auto st = c.stats();
  EXPECT_EQ(st.exporters.size(), 16u);
  EXPECT_EQ(st.datagrams, 20000u);
  EXPECT_LE(st.templates_cached, lim.max_templates);
}

// ---- real exporters' datagrams (../shared, skipped when absent) -------------

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

const std::string kShared = std::string(PICKET_SOURCE_ROOT) + "/../shared/pcaps/flows/raw_udp_payloads_logstash/";

// Expected counts were read with tshark's cflow dissector (the .dat payloads
// wrapped in UDP with text2pcap), not from picket.
struct RealCase {
  std::vector<const char*> files;  // templates first
  std::size_t records;
};

class RealDatagrams : public ::testing::TestWithParam<RealCase> {};

TEST_P(RealDatagrams, RecordCountsMatchTshark) {
  if (!std::filesystem::exists(kShared)) GTEST_SKIP() << kShared << " absent";
  FlowCollector c;
  Collect out;
  for (const char* f : GetParam().files) {
    const auto bytes = read_file(kShared + f);
    ASSERT_FALSE(bytes.empty()) << f;
    c.on_datagram(bytes.data(), bytes.size(), kExporter, out);
  }
  EXPECT_EQ(out.flows.size(), GetParam().records);
}

INSTANTIATE_TEST_SUITE_P(Logstash, RealDatagrams,
                         ::testing::Values(
                             RealCase{{"netflow5.dat"}, 2},
                             RealCase{{"netflow9_test_softflowd_tpl_data.dat"}, 7},
                             RealCase{{"netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"}, 14},
                             RealCase{{"netflow9_test_h3c_netstream_varstring_tpl3281.dat",
                                       "netflow9_test_h3c_netstream_varstring_data3281.dat"}, 1},
                             RealCase{{"ipfix_test_openbsd_pflow_tpl.dat", "ipfix_test_openbsd_pflow_data.dat"}, 26},
                             RealCase{{"ipfix_test_yaf_tpls_option_tpl.dat", "ipfix_test_yaf_tpl45841.dat",
                                       "ipfix_test_yaf_data45841.dat"}, 1}));

}  // namespace
}  // namespace picket::flowrec
