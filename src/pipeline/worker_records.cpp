// Worker side of the record inputs: a flow record or DNS log entry goes to
// the detector shards as the packet path's FlowEvent / DnsEvent would.
#include <cstring>

#include "worker.hpp"

namespace picket::pipeline {

void Worker::handle_record(const PacketSlot& slot) {
  if (slot.kind == PacketSlot::Kind::kFlowRecord) {
    flow::FlowRecord rec;
    std::memcpy(&rec, slot.frame, sizeof(rec));
    on_flow_end(rec);  // home-network flags, shard by initiator, --events
    return;
  }
  detect::DnsEvent ev;
  std::memcpy(&ev, slot.frame, sizeof(ev));
  ev.client_local = config_.home.contains(ev.client);
  if (wiring_.send_dns) {
    ++stats_.dns_events;
    send(shard_of(ev.client, wiring_.workers), ev);
  }
  if (wiring_.events) send_event(ev);
}

}  // namespace picket::pipeline
