#pragma once
// Stats of record inputs (flow collector, VPC Flow Logs, Resolver logs):
// one line per source in the summary, a "record_sources" array in the JSON.
#include <string>

#include "picket/export/json_writer.hpp"
#include "picket/pipeline/pipeline.hpp"

namespace picket::pipeline {

std::string record_sources_summary(const PipelineStats& s);
void record_sources_json(exporter::JsonWriter& w, const PipelineStats& s);

}  // namespace picket::pipeline
