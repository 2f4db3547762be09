// Runs every file of the given folders through a fuzz target's entry point,
// once each: the committed seed corpus and the crash regressions become an
// ordinary test in builds without libFuzzer (g++, ASan). Fails if a folder
// is missing or no input was found, so a misplaced corpus cannot pass.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path folder = argv[i];
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error)) {
      // Regression folders exist only once something was found.
      if (folder.parent_path().filename() == "regressions") continue;
      std::fprintf(stderr, "fuzz replay: %s is not a folder\n", folder.c_str());
      return 1;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
      if (entry.is_regular_file() && entry.path().filename() != "README.md")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::fprintf(stderr, "fuzz replay: %s\n", file.c_str());
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++inputs;
    }
  }
  if (inputs == 0) {
    std::fprintf(stderr, "fuzz replay: no inputs found\n");
    return 1;
  }
  std::printf("fuzz replay: %zu inputs ran cleanly\n", inputs);
  return 0;
}
