// Stands in for libFuzzer's main() in the normal (gcc) build: runs the fuzz
// target once on every file named on the command line or found directly in a
// directory named there, so ctest replays each corpus and every crash
// reproducer kept in it.
//
//   csv_import_fuzz tests/fuzz/corpus/csv_import_fuzz [more files or dirs…]
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

bool ReadFile(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in),
             std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      inputs.push_back(arg);
      continue;
    }
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(arg, ec)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    if (ec) {
      std::fprintf(stderr, "cannot list %s: %s\n", argv[i],
                   ec.message().c_str());
      return 1;
    }
    // Directory order is arbitrary; a fixed order makes failures repeatable.
    std::sort(files.begin(), files.end());
    inputs.insert(inputs.end(), files.begin(), files.end());
  }
  // An empty corpus would pass while testing nothing: a wrong path, most
  // likely.
  if (inputs.empty()) {
    std::fprintf(stderr, "no inputs found\n");
    return 1;
  }
  std::string data;
  for (const fs::path& path : inputs) {
    if (!ReadFile(path, data)) {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      return 1;
    }
    // Named before the run: if the target aborts, the last name printed is
    // the input that did it.
    std::fprintf(stderr, "replaying %s (%zu bytes)\n", path.c_str(),
                 data.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()),
                           data.size());
  }
  std::fprintf(stderr, "replayed %zu inputs\n", inputs.size());
  return 0;
}
