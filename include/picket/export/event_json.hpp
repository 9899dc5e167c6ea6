#pragma once
// The --events output: one JSON line per finished flow, DNS message, TLS
// ClientHello and HTTP request, in the spirit of Suricata's EVE format, for
// forensics and for checking the decoders against tshark.
#include <string>
#include <variant>

#include "picket/detect/events.hpp"

namespace picket::exporter {

using EventRecord = std::variant<detect::FlowEvent, detect::DnsEvent, detect::TlsEvent, detect::HttpEvent>;

void render_event_json(const EventRecord& ev, std::string& out);

}  // namespace picket::exporter
