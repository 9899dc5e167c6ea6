#include "record_decoder.hpp"

#include <algorithm>

namespace picket::flowrec {

namespace {

// Length of the field at p: fixed, or IPFIX variable length (RFC 7011 7.).
// Returns false when it does not fit.
bool field_extent(const TemplateField& f, const std::uint8_t* p, std::size_t avail, std::size_t& header,
                  std::size_t& len) {
  if (f.length != kVariableLength) {
    header = 0;
    len = f.length;
    return len <= avail;
  }
  if (avail < 1) return false;
  if (p[0] < 255) {
    header = 1;
    len = p[0];
  } else {
    if (avail < 3) return false;
    header = 3;
    len = read_u16(p + 1);
  }
  return header + len <= avail;
}

// NTP-format timestamp (seconds since 1900 . fraction) to Nanos since 1970.
core::Nanos ntp_to_nanos(std::uint64_t v, bool micro) {
  constexpr std::uint64_t kNtpToUnix = 2208988800ULL;
  const std::uint64_t secs = v >> 32;
  std::uint64_t frac = v & 0xffffffffULL;
  if (micro) frac &= ~std::uint64_t{0x7ff};  // RFC 7011: low 11 bits of dateTimeMicroseconds are unused
  if (secs < kNtpToUnix) return 0;
  return (secs - kNtpToUnix) * core::kNanosPerSecond + ((frac * core::kNanosPerSecond) >> 32);
}

core::Nanos relative_time(const RecordClock& c, std::uint64_t ms) {
  if (c.has_uptime) {
    // NetFlow v9: milliseconds of exporter uptime; the header pairs uptime with wall time.
    const std::uint64_t back_ms = c.uptime_ms >= ms ? c.uptime_ms - ms : 0;
    const core::Nanos back = back_ms * 1'000'000ULL;
    return c.export_time > back ? c.export_time - back : 0;
  }
  if (c.system_init) return c.system_init + ms * 1'000'000ULL;
  return c.export_time;  // IPFIX sysUpTime fields without systemInitTime: only the export time is known
}

}  // namespace

std::size_t read_template_fields(const std::uint8_t* p, std::size_t avail, std::uint16_t count, bool ipfix,
                                 FlowTemplate& t) {
  if (count == 0 || count > kMaxTemplateFields) return 0;
  std::size_t off = 0;
  t.fields.clear();
  t.fields.reserve(count);
  t.min_record_length = 0;
  for (std::uint16_t i = 0; i < count; ++i) {
    if (off + 4 > avail) return 0;
    TemplateField f;
    f.id = read_u16(p + off);
    f.length = read_u16(p + off + 2);
    off += 4;
    if (ipfix && (f.id & 0x8000)) {
      if (off + 4 > avail) return 0;
      f.id &= 0x7fff;
      f.enterprise = read_u32(p + off);
      off += 4;
    }
    if (f.length == 0) return 0;
    if (f.length == kVariableLength) {
      // IPFIX's variable-length encoding; some NetFlow v9 exporters (H3C) use it too.
      t.min_record_length += 1;
    } else {
      t.min_record_length += f.length;
    }
    t.fields.push_back(f);
  }
  return off;
}

DecodeResult decode_flow_record(const FlowTemplate& t, const std::uint8_t* p, std::size_t avail,
                                const RecordClock& clock, std::uint32_t sampling, UniFlow& out, std::size_t& used) {
  out = UniFlow{};
  bool have_src = false, have_dst = false, have_first = false, have_last = false;
  std::uint64_t first_rel = 0, last_rel = 0;  // sysUpTime-relative milliseconds
  bool first_is_rel = false, last_is_rel = false;
  core::Nanos first_abs = 0, last_abs = 0;
  std::uint64_t rev_first_rel = 0;
  bool have_rev_first = false;
  core::Nanos rev_first_abs = 0;
  std::size_t off = 0;
  for (const TemplateField& f : t.fields) {
    std::size_t hdr, len;
    if (!field_extent(f, p + off, avail - off, hdr, len)) return DecodeResult::kTruncated;
    const std::uint8_t* v = p + off + hdr;
    off += hdr + len;
    if (f.enterprise == kReversePen) {
      // RFC 5103: the same element for the reverse direction.
      if (len > 8) continue;
      switch (f.id) {
        case 1: case 85: out.rev_bytes = read_be(v, len), out.has_reverse = true; break;
        case 2: case 86: out.rev_packets = read_be(v, len), out.has_reverse = true; break;
        case 6: out.rev_tcp_flags = static_cast<std::uint8_t>(read_be(v, len)); break;
        case 22: if (len == 4) rev_first_rel = read_u32(v), have_rev_first = true; break;
        case 152: if (len == 8) rev_first_abs = read_be(v, 8) * 1'000'000ULL; break;
        default: break;
      }
      continue;
    }
    if (f.enterprise != 0) continue;
    switch (f.id) {
      case 1: case 85:
        if (len <= 8) out.bytes = read_be(v, len);
        break;
      case 2: case 86:
        if (len <= 8) out.packets = read_be(v, len);
        break;
      case 4:
        if (len >= 1) out.proto = v[len - 1];
        break;
      case 6:
        // 1 byte in NetFlow v9, 2 in IPFIX (the low byte holds the classic flags).
        if (len >= 1 && len <= 2) out.tcp_flags = v[len - 1], out.tcp_flags_known = true;
        break;
      case 7:
        if (len == 2) out.sport = read_u16(v);
        break;
      case 11:
        if (len == 2) out.dport = read_u16(v);
        break;
      case 8:
        if (len == 4) out.src = core::IpAddr::from_v4(v), have_src = true;
        break;
      case 12:
        if (len == 4) out.dst = core::IpAddr::from_v4(v), have_dst = true;
        break;
      case 27:
        if (len == 16) out.src = core::IpAddr::from_v6(v), have_src = true;
        break;
      case 28:
        if (len == 16) out.dst = core::IpAddr::from_v6(v), have_dst = true;
        break;
      case 22:
        if (len == 4) first_rel = read_u32(v), first_is_rel = have_first = true;
        break;
      case 21:
        if (len == 4) last_rel = read_u32(v), last_is_rel = have_last = true;
        break;
      case 150:
        if (len == 4) first_abs = read_u32(v) * core::kNanosPerSecond, have_first = true, first_is_rel = false;
        break;
      case 151:
        if (len == 4) last_abs = read_u32(v) * core::kNanosPerSecond, have_last = true, last_is_rel = false;
        break;
      case 152:
        if (len == 8) first_abs = read_be(v, 8) * 1'000'000ULL, have_first = true, first_is_rel = false;
        break;
      case 153:
        if (len == 8) last_abs = read_be(v, 8) * 1'000'000ULL, have_last = true, last_is_rel = false;
        break;
      case 154: case 156:
        if (len == 8) first_abs = ntp_to_nanos(read_be(v, 8), f.id == 154), have_first = true, first_is_rel = false;
        break;
      case 155: case 157:
        if (len == 8) last_abs = ntp_to_nanos(read_be(v, 8), f.id == 155), have_last = true, last_is_rel = false;
        break;
      case 32: case 139:
        // icmpTypeCode: type in the high byte.
        if (len == 2) out.icmp_type = v[0];
        break;
      case 176: case 178:
        if (len == 1) out.icmp_type = v[0];
        break;
      case 58: case 243:
        if (len == 2) out.vlan = read_u16(v) & 0x0fff;
        break;
      default:
        break;
    }
  }
  used = off;
  if (!have_src || !have_dst) return DecodeResult::kNoAddresses;
  // NetFlow v9 and some IPFIX exporters put ICMP type/code in the destination port.
  if ((out.proto == 1 || out.proto == 58) && out.icmp_type == 0 && out.dport != 0) out.icmp_type = out.dport >> 8;
  if (out.proto == 1 || out.proto == 58) out.sport = out.dport = 0;
  const core::Nanos first = !have_first ? clock.export_time : first_is_rel ? relative_time(clock, first_rel) : first_abs;
  const core::Nanos last = !have_last ? first : last_is_rel ? relative_time(clock, last_rel) : last_abs;
  out.first = first;
  out.last = std::max(first, last);
  if (have_rev_first) out.rev_first = relative_time(clock, rev_first_rel);
  if (rev_first_abs) out.rev_first = rev_first_abs;
  if (sampling > 1) {
    out.packets *= sampling, out.bytes *= sampling;
    out.rev_packets *= sampling, out.rev_bytes *= sampling;
  }
  return DecodeResult::kFlow;
}

bool decode_options_record(const FlowTemplate& t, const std::uint8_t* p, std::size_t avail, DomainState& d,
                           std::size_t& used) {
  std::size_t off = 0;
  std::uint64_t interval = 0, space = 0;
  bool have_interval = false, packet_interval = false;
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    const TemplateField& f = t.fields[i];
    std::size_t hdr, len;
    if (!field_extent(f, p + off, avail - off, hdr, len)) return false;
    const std::uint8_t* v = p + off + hdr;
    off += hdr + len;
    // Scope fields name what the options apply to; their types are not IEs in v9.
    if (i < t.scope_fields || f.enterprise != 0 || len > 8) continue;
    switch (f.id) {
      case 34: case 50:  // samplingInterval, samplerRandomInterval: 1 packet in `interval`
        interval = read_be(v, len), have_interval = true;
        break;
      case 305:  // samplingPacketInterval (RFC 5477): `interval` packets taken ...
        interval = read_be(v, len), have_interval = packet_interval = true;
        break;
      case 306:  // ... then samplingPacketSpace packets skipped
        space = read_be(v, len);
        break;
      case 160:  // systemInitTimeMilliseconds
        if (len == 8) d.system_init = read_be(v, 8) * 1'000'000ULL;
        break;
      default:
        break;
    }
  }
  used = off;
  if (have_interval && interval > 0) {
    const std::uint64_t rate = packet_interval ? (interval + space) / interval : interval;
    d.sampling = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(rate, 1, 1u << 24));
  }
  return true;
}

std::uint32_t decode_data_set(const FlowTemplate& t, const std::uint8_t* body, std::size_t len, RecordClock& clock,
                              DomainState& d, Source source, ExporterStats& st, RecordSink& sink) {
  std::uint32_t records = 0;
  UniFlow u;
  std::size_t pos = 0;
  while (t.min_record_length > 0 && len - pos >= t.min_record_length) {
    std::size_t used = 0;
    ++records;
    if (t.options) {
      if (!decode_options_record(t, body + pos, len - pos, d, used)) {
        st.error(ErrorReason::kTruncated);
        break;
      }
      ++st.options_records;
    } else {
      clock.system_init = d.system_init;
      const DecodeResult r = decode_flow_record(t, body + pos, len - pos, clock, d.sampling, u, used);
      if (r == DecodeResult::kTruncated) {
        st.error(ErrorReason::kTruncated);
        break;
      }
      if (r == DecodeResult::kNoAddresses) {
        st.error(ErrorReason::kBadRecord);
      } else {
        u.source = static_cast<std::uint8_t>(source);
        ++st.records;
        sink.on_flow(u);
      }
    }
    pos += used;
  }
  return records;
}

}  // namespace picket::flowrec
