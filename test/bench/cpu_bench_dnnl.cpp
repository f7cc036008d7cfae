// oneDNN peer of cpu_bench.py (a benchmark helper, not part of the build):
// cpu_bench.py compiles it at run time with g++ -O2 ... -ldnnl into a temp dir.
//
// usage: cpu_bench_dnnl TARGET_S MIN_RUNS MAX_RUNS M K N [M K N]...
// For each shape it times y[M,N] = x[M,K] · W[N,K]ᵀ (torch.nn.Linear's
// layout, no bias) two ways, each call timed on its own (steady_clock),
// after 3 warm-up calls, as many calls as fit in TARGET_S (clamped):
//   sgemm   dnnl_sgemm('N', 'T', ...) on the row-major buffers;
//   matmul  the matmul primitive with the weights in the layout oneDNN
//           picks (format_tag::any, reordered once outside the timing),
//           as an inference engine with known weights would use it.
// Prints one line per shape and way:
//   DNNL <sgemm|matmul> M K N min_ms median_ms runs impl
// Threads: oneDNN's OpenMP runtime, so OMP_NUM_THREADS.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void fill(float *p, size_t n, unsigned seed) {
  unsigned s = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    p[i] = (float)((s >> 8) & 0xffff) / 65536.0f - 0.5f;
  }
}

void timeIt(const char *what, int M, int K, int N, const std::string &impl, double targetS,
            int minRuns, int maxRuns, const std::function<void()> &call) {
  for (int i = 0; i < 3; ++i) call();
  double t0 = seconds();
  call();
  double once = std::max(seconds() - t0, 1e-7);
  int n = std::max(minRuns, std::min(maxRuns, (int)(targetS / once)));
  std::vector<double> ms(n);
  for (int i = 0; i < n; ++i) {
    double a = seconds();
    call();
    ms[i] = (seconds() - a) * 1e3;
  }
  std::sort(ms.begin(), ms.end());
  std::printf("DNNL %s %d %d %d %.4f %.4f %d %s\n", what, M, K, N, ms[0], ms[n / 2], n,
              impl.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 7 || (argc - 4) % 3) {
    std::fprintf(stderr, "usage: %s TARGET_S MIN_RUNS MAX_RUNS M K N [M K N]...\n", argv[0]);
    return 1;
  }
  double targetS = std::atof(argv[1]);
  int minRuns = std::atoi(argv[2]), maxRuns = std::atoi(argv[3]);
  using namespace dnnl;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  for (int a = 4; a + 2 < argc; a += 3) {
    int M = std::atoi(argv[a]), K = std::atoi(argv[a + 1]), N = std::atoi(argv[a + 2]);
    std::vector<float> x((size_t)M * K), w((size_t)N * K), y((size_t)M * N);
    fill(x.data(), x.size(), 1);
    fill(w.data(), w.size(), 2);

    timeIt("sgemm", M, K, N, "dnnl_sgemm", targetS, minRuns, maxRuns, [&] {
      // Row-major: y = x · Wᵀ, W is N×K (ldb = K).
      if (dnnl_sgemm('N', 'T', M, N, K, 1.0f, x.data(), K, w.data(), K, 0.0f, y.data(), N) !=
          dnnl_success) {
        std::fprintf(stderr, "dnnl_sgemm failed\n");
        std::exit(2);
      }
    });

    memory::desc xd({M, K}, memory::data_type::f32, memory::format_tag::ab);
    memory::desc wPlain({K, N}, memory::data_type::f32, memory::format_tag::ba);  // = W[N,K]
    memory::desc wAny({K, N}, memory::data_type::f32, memory::format_tag::any);
    memory::desc yd({M, N}, memory::data_type::f32, memory::format_tag::ab);
    matmul::primitive_desc pd(matmul::desc(xd, wAny, yd), eng);
    memory xm(xd, eng, x.data()), ym(yd, eng, y.data());
    memory wSrc(wPlain, eng, w.data()), wm(pd.weights_desc(), eng);
    reorder(wSrc, wm).execute(strm, wSrc, wm);
    strm.wait();
    matmul mm(pd);
    timeIt("matmul", M, K, N, pd.impl_info_str(), targetS, minRuns, maxRuns, [&] {
      mm.execute(strm, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}});
      strm.wait();
    });
  }
  return 0;
}
