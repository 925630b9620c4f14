#pragma once
// CsvLogger: one row of metrics per epoch, in <dir>/metrics.csv.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace tapegrad::train {

/// Writes a CSV file of metrics, one row per call to log(): the header row first
/// (`epoch,train_loss,test_accuracy`), then the values. The directory is created if needed and
/// the file replaced; every row is flushed at once, so a crashed or interrupted run keeps the
/// rows it had (and plot_curves can draw them while training goes on). Values are written in
/// the shortest form that reads back to the same double ("1", "0.25", "0.30000000000000004",
/// "nan").
class CsvLogger {
 public:
  /// Opens `<dir>/<file_name>`. Throws ValueError for no columns, an empty column name or a
  /// name containing ',', '"' or a line break; IOError if the directory or file cannot be made.
  CsvLogger(const std::filesystem::path& dir, std::vector<std::string> columns,
            const std::string& file_name = "metrics.csv");
  /// Appends one row; throws ValueError unless values.size() equals the number of columns.
  void log(const std::vector<double>& values);
  /// The CSV file's path.
  const std::filesystem::path& path() const { return path_; }
  const std::vector<std::string>& columns() const { return columns_; }
  /// Rows written so far (the header not counted).
  std::size_t rows() const { return rows_; }

 private:
  std::filesystem::path path_;
  std::vector<std::string> columns_;
  std::ofstream file_;
  std::size_t rows_ = 0;
};

}  // namespace tapegrad::train
