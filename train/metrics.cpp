// CsvLogger: header, rows, flushed each time.
#include "metrics.hpp"

#include <fmt/format.h>

#include <system_error>

#include "../core/errors.hpp"

namespace tapegrad::train {

CsvLogger::CsvLogger(const std::filesystem::path& dir, std::vector<std::string> columns, const std::string& file_name)
    : path_(dir / file_name), columns_(std::move(columns)) {
  if (columns_.empty()) fail<ValueError>("CsvLogger: no columns given");
  for (const auto& c : columns_)
    if (c.empty() || c.find_first_of(",\"\r\n") != std::string::npos)
      fail<ValueError>("CsvLogger: column name '{}' must be non-empty without ',', '\"' or line breaks", c);
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) fail<IOError>("CsvLogger: cannot create directory '{}': {}", dir.string(), ec.message());
  file_.open(path_, std::ios::out | std::ios::trunc);
  if (!file_) fail<IOError>("CsvLogger: cannot open '{}' for writing", path_.string());
  file_ << fmt::format("{}\n", fmt::join(columns_, ",")) << std::flush;
}

void CsvLogger::log(const std::vector<double>& values) {
  if (values.size() != columns_.size())
    fail<ValueError>("CsvLogger::log: got {} values for the {} columns {}", values.size(), columns_.size(),
                     fmt::join(columns_, ","));
  // fmt's "{}" is the shortest round-trip form of a double
  file_ << fmt::format("{}\n", fmt::join(values, ",")) << std::flush;
  if (!file_) fail<IOError>("CsvLogger::log: writing '{}' failed", path_.string());
  ++rows_;
}

}  // namespace tapegrad::train
