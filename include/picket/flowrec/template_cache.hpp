#pragma once
// Templates of NetFlow v9 and IPFIX, keyed by (exporter, version, observation
// domain / source id, template id). Bounded: at most `max_templates` in all
// and `max_per_exporter` for one exporter, so a flood of templates from
// spoofed sources cannot exhaust memory; refused templates are counted.
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace picket::flowrec {

inline constexpr std::uint16_t kVariableLength = 0xffff;  // IPFIX variable-length field
inline constexpr std::uint32_t kReversePen = 29305;       // RFC 5103 reverse information elements

struct TemplateField {
  std::uint16_t id = 0;  // information element / NetFlow v9 field type (enterprise bit cleared)
  std::uint16_t length = 0;
  std::uint32_t enterprise = 0;
};

struct FlowTemplate {
  std::uint16_t id = 0;
  bool options = false;
  std::uint16_t scope_fields = 0;  // options: the first scope_fields fields are scope
  std::uint32_t min_record_length = 0;  // fixed lengths + 1 per variable-length field
  std::vector<TemplateField> fields;
};

struct TemplateKey {
  std::uint32_t exporter = 0;
  std::uint32_t domain = 0;
  std::uint16_t template_id = 0;
  std::uint8_t version = 0;
  bool operator==(const TemplateKey&) const = default;
};

class TemplateCache {
 public:
  TemplateCache(std::size_t max_templates, std::size_t max_per_exporter)
      : max_templates_(max_templates), max_per_exporter_(max_per_exporter) {}

  const FlowTemplate* find(const TemplateKey& k) const;
  // Adds or refreshes; false when a new template would pass a cap.
  bool put(const TemplateKey& k, FlowTemplate t);
  // Withdraws one template; true if it existed.
  bool withdraw(const TemplateKey& k);
  // Withdraws every template (options or not) of the exporter's domain.
  std::size_t withdraw_all(std::uint32_t exporter, std::uint8_t version, std::uint32_t domain, bool options);
  std::size_t size() const { return map_.size(); }

 private:
  struct KeyHash {
    std::size_t operator()(const TemplateKey& k) const {
      std::uint64_t h = (std::uint64_t{k.exporter} << 32) ^ k.domain;
      h ^= (std::uint64_t{k.template_id} << 8 | k.version) * 0x9e3779b97f4a7c15ULL;
      h ^= h >> 29;
      return static_cast<std::size_t>(h * 0xbf58476d1ce4e5b9ULL);
    }
  };
  std::size_t max_templates_, max_per_exporter_;
  std::unordered_map<TemplateKey, FlowTemplate, KeyHash> map_;
  std::unordered_map<std::uint32_t, std::size_t> per_exporter_;
};

}  // namespace picket::flowrec
