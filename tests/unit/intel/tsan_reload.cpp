// Reload under ThreadSanitizer (tests/unit/intel/tsan_reload.sh builds this
// with -fsanitize=thread together with the store and set sources): reader
// threads look addresses and names up continuously, as detector shards do,
// while a writer publishes fresh snapshots. TSan reports any data race on
// the snapshots or their reclamation; the readers check every answer against
// the generation they read.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "picket/intel/store.hpp"

using namespace picket;

static std::unique_ptr<intel::Snapshot> make(std::uint32_t gen) {
  auto s = std::make_unique<intel::Snapshot>();
  intel::IpSet::Builder ib;
  intel::DomainSet::Builder db;
  // Generation g lists 10.<g%200>.0.0/16 and g<g>.example; every generation lists 192.0.2.0/24.
  ib.add(*core::Cidr::parse("192.0.2.0/24"), 0);
  ib.add(*core::Cidr::parse("10." + std::to_string(gen % 200) + ".0.0/16"), gen);
  db.add("g" + std::to_string(gen) + ".example", intel::DomainMatch::kSuffix, gen);
  for (int i = 0; i < 2000; ++i) db.add("filler" + std::to_string(i) + ".example", intel::DomainMatch::kSuffix, 0);
  s->ips = ib.build();
  s->domains = db.build();
  s->descriptions = std::to_string(gen);
  return s;
}

int main() {
  auto store = std::make_shared<intel::IntelStore>(make(0));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> lookups{0}, wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      auto reader = store->reader();
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        intel::ReadSection snap(&reader);
        const std::uint32_t gen = static_cast<std::uint32_t>(std::stoul(snap->descriptions));
        const auto a = core::IpAddr::from_v4((10u << 24) | ((gen % 200) << 16) | static_cast<std::uint32_t>(n & 0xffff));
        const auto i = snap->ips.lookup(a);
        if (i == intel::kNoPrefix || snap->ips.prefix(i).value != gen) wrong.fetch_add(1);
        if (snap->ips.lookup(core::IpAddr::from_v4(0xC0000200u | (n & 0xff))) == intel::kNoPrefix) wrong.fetch_add(1);
        const std::string name = "host" + std::to_string(t) + ".g" + std::to_string(gen) + ".example";
        const auto* e = snap->domains.lookup(name);
        if (!e || e->value != gen) wrong.fetch_add(1);
        ++n;
      }
      lookups.fetch_add(n);
    });
  }
  const int publishes = 60;
  for (int g = 1; g <= publishes; ++g) {
    store->publish(make(static_cast<std::uint32_t>(g)));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop.store(true);
  for (auto& r : readers) r.join();
  std::printf("tsan_reload: %d publishes, %llu lookups, %llu wrong answers\n", publishes,
              static_cast<unsigned long long>(lookups.load()), static_cast<unsigned long long>(wrong.load()));
  return wrong.load() == 0 && lookups.load() > 0 && store->publishes() == publishes ? 0 : 1;
}
