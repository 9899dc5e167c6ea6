#include "picket/flowrec/template_cache.hpp"

namespace picket::flowrec {

const FlowTemplate* TemplateCache::find(const TemplateKey& k) const {
  auto it = map_.find(k);
  return it == map_.end() ? nullptr : &it->second;
}

bool TemplateCache::put(const TemplateKey& k, FlowTemplate t) {
  auto it = map_.find(k);
  if (it != map_.end()) {
    it->second = std::move(t);  // refresh: the exporter may redefine an id at any time
    return true;
  }
  std::size_t& mine = per_exporter_[k.exporter];
  if (map_.size() >= max_templates_ || mine >= max_per_exporter_) return false;
  ++mine;
  map_.emplace(k, std::move(t));
  return true;
}

bool TemplateCache::withdraw(const TemplateKey& k) {
  if (map_.erase(k) == 0) return false;
  --per_exporter_[k.exporter];
  return true;
}

std::size_t TemplateCache::withdraw_all(std::uint32_t exporter, std::uint8_t version, std::uint32_t domain,
                                        bool options) {
  std::size_t n = 0;
  for (auto it = map_.begin(); it != map_.end();) {
    const TemplateKey& k = it->first;
    if (k.exporter == exporter && k.version == version && k.domain == domain && it->second.options == options) {
      it = map_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  per_exporter_[exporter] -= n;
  return n;
}

}  // namespace picket::flowrec
