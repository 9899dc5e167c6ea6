// libFuzzer target for the DNS parser. Beyond memory safety (ASan/UBSan),
// it checks the invariants consumers rely on, so a logic slip that leaves a
// length and its buffer out of step is reported as a crash too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "picket/proto/dns.hpp"

using namespace picket::proto;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static DnsMessage msg;  // reused like the pipeline does, so stale state matters
  const DnsStatus status = parse_dns(data, size, msg);
  require(dns_status_name(status) != nullptr);
  require(msg.qname_len < kDnsMaxName && msg.qname[msg.qname_len] == '\0');
  require(msg.answer_count <= kDnsMaxAnswers);
  require(!msg.answers_capped || msg.answer_count == kDnsMaxAnswers);
  for (std::size_t i = 0; i < msg.answer_count; ++i) {
    const DnsAnswer& a = msg.answers[i];
    require(a.text_len < kDnsMaxName && a.text[a.text_len] == '\0');
    (void)dns_type_name(a.type);
  }
  (void)dns_rcode_name(msg.rcode);
  if (status == DnsStatus::kNotDns) require(msg.answer_count == 0 && !msg.has_question);
  return 0;
}
