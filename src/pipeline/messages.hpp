#pragma once
// What travels through the pipeline's rings.
#include <cstdint>
#include <variant>

#include "picket/core/clock.hpp"
#include "picket/detect/events.hpp"
#include "picket/net/packet.hpp"

namespace picket::pipeline {

// Frame bytes kept per packet: all headers and the first part of the payload,
// which is all the application-layer extractors look at. Longer frames are
// analysed on their first kSlotFrameBytes (counters and flow bytes use the
// lengths from the headers, not this cut).
inline constexpr std::size_t kSlotFrameBytes = 2048;

// Capture thread -> worker.
struct PacketSlot {
  enum class Kind : std::uint8_t {
    kPacket,
    kTick,   // capture time reached `tick`: expire flows, send a watermark
    // Capture time reached `tick` between two ticks: expire flows and send a
    // watermark that is no detector tick, so that the shards can hand the
    // events before it to the detectors now instead of holding a whole
    // tick's worth (see kPacketsPerWatermark).
    kWatermark,
    kFlush,  // end of input: end every flow, send the final watermark
    // Flow-record and log inputs (record_feed.cpp): a finished
    // flow::FlowRecord or a detect::DnsEvent, copied into `frame`.
    kFlowRecord,
    kDnsEvent,
  };
  Kind kind = Kind::kPacket;
  std::uint64_t hash = 0;
  core::Nanos tick = 0;
  net::PacketView view;  // view.data points into `frame`
  std::uint8_t frame[kSlotFrameBytes];
};

// Worker -> detector shard: "every event with logical time < time that I will
// ever send you has been sent". Strictly less: a packet stamped exactly at a
// tick arrives after that tick, and its events carry the tick's time.
// kNanosMax is the last watermark, after which everything has been sent.
struct Watermark {
  core::Nanos time = 0;
  bool tick = true;  // a detector tick (on_tick), not only a promise
};

// The capture thread sends a kWatermark after this many packets (input
// records) since the last tick or watermark. Detector shards then hold the
// events of about this many packets (a few hundred KiB, within the L2 cache)
// instead of those of a whole tick (tens of MiB at a million packets per
// second), and sort them in small batches. Counting the input, which one
// thread reads in one order, keeps the schedule the same for any number of
// workers; only the flow table's expiry moments depend on it, and a flow is
// ended at its deadline whenever that is noticed.
inline constexpr std::uint64_t kPacketsPerWatermark = 2048;

static_assert(sizeof(flow::FlowRecord) <= kSlotFrameBytes && sizeof(detect::DnsEvent) <= kSlotFrameBytes,
              "records travel in a slot's frame");

using MeshMessage = std::variant<Watermark, detect::FlowEvent, detect::DnsEvent, detect::ServerNameEvent>;

}  // namespace picket::pipeline
