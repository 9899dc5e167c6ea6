#pragma once
// Per-client sliding windows of distinct items (names, domains), with the
// reporting rules of every DNS detector: a finding the moment a client
// crosses its threshold, updates at most every report_interval while it
// grows, a last update when the client has been quiet for a whole window.
// Bounded: at most max_clients clients and max_items items per client
// (further ones are refused and counted).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "dns_util.hpp"
#include "picket/core/clock.hpp"
#include "picket/core/ip_addr.hpp"

namespace picket::detect::dns {

struct WindowItem {
  core::Nanos last_seen = 0;
  double weight = 0;
  std::string label;  // a name or domain, for evidence
  std::string group;  // e.g. the registered domain of a name
};

struct ClientWindow {
  std::unordered_map<std::uint64_t, WindowItem> items;
  core::IpAddr resolver;
  std::uint8_t transport = 17;
  core::Nanos first_seen = 0, last_seen = 0, last_report = 0;
  bool reported = false, changed = false;
  std::uint64_t events = 0, refused = 0;
  // No item was last seen before this (a lower bound, exact after each
  // scan): expire() walks the items only when one of them may be due, not
  // on every event.
  core::Nanos oldest = core::kNanosMax;

  void expire(core::Nanos now, core::Nanos window) {
    if (now < window) return;
    if (oldest >= now - window) return;  // every item has last_seen + window >= now
    core::Nanos m = core::kNanosMax;
    for (auto it = items.begin(); it != items.end();) {
      if (it->second.last_seen + window < now) {
        it = items.erase(it);
        sum_valid_ = false;
      } else {
        m = std::min(m, it->second.last_seen);
        ++it;
      }
    }
    oldest = m;
  }
  double weight_sum() const {
    // Summed in key order so the figure never depends on table history; kept
    // until the items change (DGA asks for it on every failed look-up).
    if (sum_valid_) return sum_;
    std::vector<std::pair<std::uint64_t, double>> v;
    v.reserve(items.size());
    for (const auto& [k, it] : items) v.emplace_back(k, it.weight);
    std::sort(v.begin(), v.end());
    double s = 0;
    for (const auto& [k, w] : v) s += w;
    sum_ = s;
    sum_valid_ = true;
    return s;
  }
  mutable double sum_ = 0;
  mutable bool sum_valid_ = false;  // cleared whenever an item comes or goes
};

class ClientWindows {
 public:
  ClientWindows(core::Nanos window, core::Nanos report_interval, std::size_t max_clients, std::size_t max_items)
      : window_(window), report_(report_interval), max_clients_(max_clients), max_items_(max_items) {}

  // Adds (or refreshes) an item; returns the client's window, or nullptr when
  // the client was refused for lack of room. The item's weight (weight(),
  // which may be costly) and strings are worked out only when it is new.
  template <class Weight>
  ClientWindow* add(const core::IpAddr& client, const core::IpAddr& resolver, std::uint8_t transport, core::Nanos ts,
                    std::uint64_t item, Weight&& weight, std::string_view label, std::string_view group) {
    // One walk down the tree: where the client is, or where it goes.
    auto it = clients_.lower_bound(client);
    if (it == clients_.end() || it->first != client) {
      if (clients_.size() >= max_clients_) {
        ++refused_clients_;
        return nullptr;
      }
      it = clients_.emplace_hint(it, std::piecewise_construct, std::forward_as_tuple(client), std::forward_as_tuple());
      it->second.first_seen = ts;
    }
    ClientWindow& c = it->second;
    c.resolver = resolver;
    c.transport = transport;
    c.last_seen = ts;
    ++c.events;
    c.expire(ts, window_);
    auto found = c.items.find(item);
    if (found != c.items.end()) {
      found->second.last_seen = ts;
      return &c;
    }
    if (c.items.size() >= max_items_) {
      ++c.refused;
      ++refused_items_;
      return &c;
    }
    c.items.emplace(item, WindowItem{ts, weight(), std::string(label), std::string(group)});
    c.oldest = std::min(c.oldest, ts);
    c.sum_valid_ = false;
    c.changed = true;
    return &c;
  }

  // Emits updates due at `now` and ends quiet clients; `build(client, w, update)`.
  // Updates go out in client order, all the due ones before the last ones of
  // clients that end: the map is walked in that order (twice), with no list
  // of clients to sort and look up again.
  template <class Build>
  void tick(core::Nanos now, bool flush, Build&& build) {
    if (flush) {
      for (const auto& [ip, c] : clients_)
        if (c.reported && c.changed) build(ip, c, true);
      clients_.clear();
      return;
    }
    bool any_gone = false;
    for (auto& [ip, c] : clients_) {
      if (c.last_seen + window_ < now) {
        any_gone = true;
        continue;
      }
      if (!(c.reported && c.changed && now >= c.last_report + report_)) continue;
      c.expire(now, window_);
      c.changed = false;
      c.last_report = now;
      build(ip, c, true);
    }
    if (!any_gone) return;
    for (auto it = clients_.begin(); it != clients_.end();) {
      if (it->second.last_seen + window_ < now) {
        if (it->second.reported && it->second.changed) build(it->first, it->second, true);
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::size_t size() const { return clients_.size(); }
  std::uint64_t refused_clients() const { return refused_clients_; }
  std::uint64_t refused_items() const { return refused_items_; }  // over all clients, since start
  core::Nanos window() const { return window_; }

 private:
  core::Nanos window_, report_;
  std::size_t max_clients_, max_items_;
  std::map<core::IpAddr, ClientWindow> clients_;  // in address order, as updates go out
  std::uint64_t refused_clients_ = 0, refused_items_ = 0;
};

}  // namespace picket::detect::dns
