//===- Passes.td - tfmc code generation passes -------------*- tablegen -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef TFMC_CODEGEN_PASSES_TD
#define TFMC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def ApproximateMathPass : Pass<"tfmc-approximate-math"> {
  let summary = "Replace exp, log, tanh and erf on f32 by polynomial approximations";
  let description = [{
    Rewrites `math.exp`, `math.log`, `math.tanh` and `math.erf` on f32
    (scalars and vectors) into upstream MLIR's polynomial approximations:
    plain arithmetic that LLVM vectorizes, instead of a libm call per
    element, which keeps softmax, GELU and SiLU loops vectorized. The
    approximations are accurate to a few ulp (the end-to-end tests hold
    them to the same tolerances as libm). Sine and cosine (positional
    encodings, whose arguments grow with the position) stay libm calls.
    `tanh` returns exactly ±1 past |x| > 9.1, where f32 rounds it so
    (the polynomial alone misses by an ulp where FMA and division are not
    IEEE-exact, as on GPUs).

    With `pow`, `math.powf` on f32 is expanded too, for targets without an
    accurate pow (SPIR-V's is undefined for negative bases):
    `exp(y · log|x|)`, negated for negative x and odd integer y, NaN for
    negative x and non-integer y, and IEEE's special cases exact:
    `pow(x, 0) = pow(1, y) = 1` (NaN included), `pow(x, 1) = x`,
    `pow(x, 2) = x · x`, `pow(±0, y < 0) = ±inf`, `pow(-1, ±inf) = 1`,
    `pow(-inf, y)` by the sign rule.
  }];
  let options = [
    Option<"expandPow", "pow", "bool", /*default=*/"false",
           "Also expand math.powf (f32) into exp and log">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConfigureLoweringPass
    : Pass<"tfmc-configure-lowering", "::mlir::ModuleOp"> {
  let summary = "Choose how each op is lowered and record it on the op";
  let description = [{
    The configuration step between the graph phase and lowering: it
    attaches lowering choices as attributes, which `convert-tfm-to-linalg`
    follows. Run on its own, it shows what the compiler decided.

    `tfm.attention` gets `tfmc.attention_lowering`:
    - `"flash"`: the online-softmax form over blocks of `tfmc.kv_block`
      keys (extra memory O(Sq·block) instead of O(Sq·Sk));
    - `"gpu-flash"` (`target=vulkan`): the online-softmax GPU kernel of
      `tfmc-lower-gpu-attention`;
    - `"unfused"`: scores, softmax, ·V with the whole score matrix.

    With `attention=auto` (the default) the flash form is chosen whenever
    the keys span more than one block, the plain form otherwise (one block
    is the same computation without the bookkeeping). On Vulkan the flash
    form is the GPU kernel, chosen under `auto` whenever `D + Dv <= 512`
    (it keeps each row's query and accumulator in registers): one kernel
    beat the plain form's six at every length measured on lavapipe.

    With `weight-panel=P` (the CPU pipeline passes the width of its matmul
    register tile: 32 with AVX-512), every `tfm.weight` matrix whose only
    uses are as the weights of `tfm.linear` gets `tfmc.weight_panel = P`:
    it is stored in the executable as `[ceil(N/P), K, P]` panels (zero
    columns past N), the layout `tfmc-tile-contractions` reads, so linear
    layers pack nothing at run time. The driver writes the packed copy at
    compile time.

    ```mlir
    %o = tfm.attention %q, %k, %v : (...) -> tensor<1x8x512x64xf32>
    // becomes
    %o = tfm.attention %q, %k, %v {tfmc.attention_lowering = "flash",
                                   tfmc.kv_block = 64 : i64} : ...
    ```
  }];
  let options = [
    Option<"attention", "attention", "std::string", /*default=*/"\"auto\"",
           "Attention lowering: auto, flash or unfused">,
    Option<"attentionBlock", "attention-block", "int64_t", /*default=*/"64",
           "Keys per block of the flash form">,
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target the choices are for: cpu or vulkan">,
    Option<"weightPanel", "weight-panel", "int64_t", /*default=*/"0",
           "Store linear layers' weights packed in panels of this many "
           "columns (the matmul register tile's width; 0: as given)">,
  ];
}

def DistinctResultsPass : Pass<"tfmc-distinct-results", "::mlir::func::FuncOp"> {
  let summary = "Give every result of a function its own tensor";
  let description = [{
    A function that returns the same tensor twice (a model whose two
    outputs are one value, or empty tensors that CSE merged) gets a
    `linalg.copy` for each repeat, so that each result can be written to
    its own output buffer by the destination-passing entry point.

    ```mlir
    return %y, %y : tensor<3xf32>, tensor<3xf32>
    // becomes
    %e = tensor.empty() : tensor<3xf32>
    %c = linalg.copy ins(%y : tensor<3xf32>) outs(%e : tensor<3xf32>) -> tensor<3xf32>
    return %y, %c : tensor<3xf32>, tensor<3xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ExpandStridedCopiesPass
    : Pass<"tfmc-expand-strided-copies", "::mlir::func::FuncOp"> {
  let summary = "Turn copies between non-contiguous buffers into loops";
  let description = [{
    `memref.copy` between buffers that are not both contiguous (views made
    by bufferizing `tensor.insert_slice`/`extract_slice` with strides)
    would otherwise lower to a call into MLIR's C runner utilities
    (`memrefCopy`), which the standalone executables do not link. This pass
    rewrites such copies to `linalg.copy`, which becomes plain loops;
    contiguous copies are left alone (they become `memcpy`).

    ```mlir
    memref.copy %a, %b : memref<2x3xf32, strided<[8, 1], offset: 4>> to memref<2x3xf32>
    // becomes
    linalg.copy ins(%a : memref<2x3xf32, strided<[8, 1], offset: 4>>) outs(%b : memref<2x3xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def EmulateBF16Pass : Pass<"tfmc-emulate-bf16", "::mlir::ModuleOp"> {
  let summary = "Store bf16 as 16-bit integers and compute on it in f32";
  let description = [{
    For the Vulkan target, after `gpu-kernel-outlining`: SPIR-V for Vulkan 1.1-1.3
    has no bfloat16 type (lavapipe and most drivers lack
    `SPV_KHR_bfloat16`), and letting the type converter widen bf16 buffers
    would misread them. A bf16 value is the upper half of an f32, so:

    1. arithmetic on bf16 becomes arithmetic on f32 between an `extf` and a
       `truncf` (`arith-emulate-unsupported-floats`; tfmc's lowering already
       computes in f32, so this rarely fires);
    2. in the kernels (`gpu.module`s), `extf`/`truncf` between bf16 and f32
       become integer operations: a shift by 16 bits, and rounding to
       nearest even with NaNs kept quiet (`arith-expand`'s bf16 patterns);
    3. every bf16 type left, in buffers, values, function signatures and
       constants, becomes i16 holding the same bits, module-wide (host
       function included, so kernel signatures and their launches agree;
       buffers keep their sizes).

    ```mlir
    %x = memref.load %a[%i] : memref<8xbf16>
    %y = arith.extf %x : bf16 to f32
    // becomes
    %x = memref.load %a[%i] : memref<8xi16>
    %w = arith.extui %x : i16 to i32
    %s = arith.shli %w, %c16 : i32
    %y = arith.bitcast %s : i32 to f32
    ```

    Any other operation on bf16 (a `math` function, say) is refused with its
    location rather than reinterpreted.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FuseElementwisePass : Pass<"tfmc-fuse-elementwise"> {
  let summary = "Fuse elementwise producers into consumers that read each element once";
  let description = [{
    Upstream's elementwise fusion (`linalg-fuse-elementwise-ops`) with the
    cost model a Transformer needs. A producer with one use is fused into
    its consumer only when the consumer reads the producer's result through
    a permutation (each element once): chains of elementwise ops and
    elementwise ops feeding reductions (a residual add into layer norm's
    mean) become one loop nest, but a GELU or a layer norm in front of a
    matmul is not recomputed inside it (once for every output column: a
    768-wide layer would evaluate each tanh 768 times). Reshapes are folded
    into (propagated through) all-parallel generics only, so a contraction
    keeps its 2-D form instead of growing one loop per reshaped dimension,
    and `tfmc-tile-contractions` recognizes it. Splat constants and fills
    are folded into their consumers, unused operands and results dropped.

    ```mlir
    %g = linalg.generic {..["parallel", "parallel"]} ins(%h) { tanh-GELU }
    %y = linalg.generic {..["parallel", "parallel", "reduction"]} ins(%g, %w) { mulf, addf }
    // stays two ops: fusing would evaluate the GELU once per column of %w
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

def InlineAllocaScopesPass
    : Pass<"tfmc-inline-alloca-scopes", "::mlir::func::FuncOp"> {
  let summary = "Inline memref.alloca_scope regions that allocate nothing on the stack";
  let description = [{
    `convert-scf-to-openmp` wraps every parallel loop body in a
    `memref.alloca_scope`. The canonicalizer drops it only when the body
    certainly allocates nothing, and counts any call as a possible stack
    allocation; a body that calls kernels (the flash attention's tasks)
    keeps its scope, and `convert-scf-to-cf` then leaves it with several
    blocks, which the op does not allow. A callee's stack allocations end
    with the call, so a scope whose region holds no `memref.alloca` of its
    own (outside nested allocation scopes) is inlined here.

    ```mlir
    memref.alloca_scope {
      func.call @__tfmc_kernel_3(%a) : (memref<64x64xf32>) -> ()
    }
    // becomes
    func.call @__tfmc_kernel_3(%a) : (memref<64x64xf32>) -> ()
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def OutlineKernelsPass : Pass<"tfmc-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Move each linalg op of a function body into its own kernel function";
  let description = [{
    After bufferization, every linalg op of a function (in its body or in
    loops, such as the key blocks of the flash attention form) is moved
    into a private function `@__tfmc_kernel_<n>` and replaced by a call. The kernel takes the buffers the op uses as
    identity-layout memrefs (views such as `memref.subview` are recreated
    inside the kernel from their base buffer) and the scalars it uses as
    arguments; constants are cloned. Kernels are marked `noinline` with
    internal linkage. Identical kernels (the same op on the same types, as
    in every layer of a model) are generated once and called from each
    place: GPT-2 small compiles in ~5 s instead of ~40 s.

    Why: after lowering, one function per model holds every loop nest, and
    LLVM's loop passes (IndVarSimplify above all) grow superlinearly with
    function size — a 2-layer Transformer took 25 s in LLVM -O3 as one
    function. Small functions keep code generation linear in model size,
    and each kernel is the unit later passes tile and parallelize.

    ```mlir
    linalg.fill ins(%c0 : f32) outs(%view : memref<4xf32>)
    // becomes
    call @__tfmc_kernel_0(%view) : (memref<4xf32>) -> ()
    func.func private @__tfmc_kernel_0(%arg0: memref<4xf32>)
        attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]} {
      %c0 = arith.constant 0.0 : f32
      linalg.fill ins(%c0 : f32) outs(%arg0 : memref<4xf32>)
      return
    }
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def ParallelizeKernelsPass
    : Pass<"tfmc-parallelize-kernels", "::mlir::func::FuncOp"> {
  let summary = "Run the independent loop of each large kernel in parallel";
  let description = [{
    After linalg ops are lowered to loops in their iterator order, a kernel
    marked `tfmc.parallel_loop = d` by `tfmc-outline-kernels` has an
    independent loop at depth `d` of its nest (the first loop with more than
    one iteration, a parallel dimension, in a kernel doing at least 65536
    innermost iterations). That loop becomes a one-dimensional
    `scf.parallel`, which `convert-scf-to-openmp` turns into an OpenMP
    worksharing loop; the loops inside it keep their order (the vectorized
    innermost loop stays innermost).

    ```mlir
    scf.for %i = %c0 to %c512 step %c1 { ...body... }
    // becomes
    scf.parallel (%i) = (%c0) to (%c512) step (%c1) { ...body... }
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def PlanBuffersPass : Pass<"tfmc-plan-buffers", "::mlir::func::FuncOp"> {
  let summary = "Place a function's temporary buffers in one arena, reusing memory";
  let description = [{
    Static memory planning after bufferization. Every `memref.alloc` in the
    function's top-level block with a static shape and identity layout gets
    a live range: from the allocation to the last op that uses it, or any
    view of it (`memref.dealloc` excepted). Buffers are then packed into one
    64-byte-aligned arena, largest first at the lowest offset that no buffer
    with an overlapping live range occupies, so buffers that are never live
    together share memory. Each alloc becomes a `memref.view` of the arena
    and its dealloc disappears; the arena is freed before the function
    returns. Buffers that escape (returned, or used by an op the pass cannot
    see through) are left alone.

    The function gets a `tfmc.arena_bytes` attribute: the peak memory of its
    intermediates.

    ```mlir
    %a = memref.alloc() : memref<16xf32>   // live [0, 2]
    %b = memref.alloc() : memref<16xf32>   // live [1, 3]
    %c = memref.alloc() : memref<16xf32>   // live [4, 5]: reuses %a's bytes
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def SplitLargeBuffersPass
    : Pass<"tfmc-split-large-buffers", "::mlir::spirv::ModuleOp"> {
  let summary = "Bind buffers larger than a device may allow as several ranges";
  let description = [{
    A Vulkan device binds at most `maxStorageBufferRange` bytes per storage
    buffer descriptor: 128 MiB is all Vulkan guarantees (and lavapipe's
    limit), less than, say, GPT-2's token embedding. After
    `spirv-lower-abi-attrs`, every storage buffer variable of more than
    `max-binding-bytes` becomes C variables bound to consecutive
    `max-binding-bytes` ranges of the same buffer (the last one shorter;
    later bindings are renumbered), and each access `buffer[0, i]` picks its
    range's pointer:

    ```mlir
    %p = spirv.AccessChain %big[%c0, %i]
    // becomes, with M elements per range
    %chunk = spirv.UDiv %i, %M
    %inner = spirv.UMod %i, %M
    %p0 = spirv.AccessChain %big_0[%c0, %inner]
    %p1 = spirv.AccessChain %big_1[%c0, %inner]
    %p = spirv.Select (%chunk == 1), %p1, %p0
    ```

    Selecting between storage-buffer pointers needs the
    `VariablePointersStorageBuffer` capability (a Vulkan 1.1 feature,
    `variablePointersStorageBuffer`), added to the module's VCE triple
    when a buffer is split. The module's `tfmc.binding_ranges` lists, per
    binding, the kernel operand it views and the byte range within it, for
    the schedule.
  }];
  let options = [
    Option<"maxBindingBytes", "max-binding-bytes", "int64_t",
           /*default=*/"int64_t(1) << 27",
           "Largest range one binding may cover (a multiple of 8)">,
  ];
}

def TileGPUContractionsPass
    : Pass<"tfmc-tile-gpu-contractions", "::mlir::ModuleOp"> {
  let summary = "Run contraction kernels as shared-memory tiled GPU matmuls";
  let description = [{
    For the Vulkan target, before `tfmc-map-to-gpu`: a kernel whose one op
    is a contraction `C[b.., m, n] = f(A[.., m, k], B[.., k, n], C)` (matmul,
    batched, any operand layout or broadcast batch, static shapes, the
    body applied as it is) becomes one `gpu.launch`: a workgroup of
    `(tile-m / thread-m) × (tile-n / thread-n)` threads computes a
    `tile-m × tile-n` block of C (grid: N blocks × M blocks × batch); it
    walks K in `tile-k` slices, staging the A and B slices in workgroup
    memory (coalesced loads, zeros past the edges), and each thread keeps
    `thread-m × thread-n` accumulators in registers, reading
    `thread-m + thread-n` values from workgroup memory per step for
    `thread-m · thread-n` multiply-adds. Edges are guarded, so any M, N, K
    work. A tile larger than its dimension is halved (down to four
    threads along it); products too small for that keep
    `tfmc-map-to-gpu`'s one thread per output.

    First, in the host functions, a call of a contraction kernel that will
    be tiled is fused with its neighbouring calls of elementwise kernels
    over its output C (all loops parallel, C and the result indexed by
    identity, other inputs by dimensions or broadcast): the one before it
    that computes all of C without reading it (a linear layer's bias
    broadcast) becomes the accumulators' initial value, the one after it
    that reads C (activation, residual add, scaling; in place, or into
    another buffer when the product is dead afterwards and that buffer is
    none of the kernel's inputs) is applied to each result before the
    kernel's only store. The fused kernel is a new function (shared by
    every call with the same kernels and operand pattern); kernels left
    without calls are erased. On lavapipe this saves the elementwise passes
    over C (a few % of a 512 × 512 × 2048 linear layer with GELU and a
    residual add); on GPUs, whose matmuls are fast, proportionally more.

    With `fallback-tile=T`, each tiled kernel also gets a variant with
    `T × T` tiles (same thread tile), a kernel function of its own named in
    the first's `tfmc.fallback` attribute; the executable carries both and
    the runtime dispatches the variant on a device whose workgroup-size or
    workgroup-memory limits the first exceeds (the default profile: 64 × 64,
    64 invocations and 4 KiB, within every Vulkan device's limits).

    f32 tiles hold 4-vectors, and each thread's rows and columns come in
    runs of 4 neighbours, so it reads a run with one load (on lavapipe,
    where each load is a loop over the SIMD lanes, this took 1024³ from
    4.6 to 10.5 GFLOP/s). The defaults (128 × 128 tiles, 8 × 8 per thread,
    8-deep slices: 8 KiB of workgroup memory, 256 threads) were the fastest
    of those measured on lavapipe for 1024³ (`test/bench/vulkan_bench.py`;
    with scalar tiles: 4–6 GFLOP/s against 2 for 64 × 64 / 4 × 4 and under
    1 for one thread per output), and are the classic choice for desktop
    GPUs too.

    ```mlir
    linalg.matmul ins(%a, %b : memref<512x256xf32>, memref<256x384xf32>) outs(%c : ...)
    // becomes
    gpu.launch blocks(3, 4, 1) threads(16, 16, 1) {
      %at = memref.alloc() : memref<8x128xf32, 3>   // workgroup memory
      %bt = memref.alloc() : memref<8x128xf32, 3>
      scf.for %k0 = 0 to 256 step 8 iter_args(64 accumulators) {
        stage A, B slices; gpu.barrier
        scf.for %kk: 8 + 8 loads, 64 × body(a_i, b_j, acc_ij)
        gpu.barrier
      }
      store the 64 outputs
    }
    ```
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", /*default=*/"128",
           "Rows of C per workgroup (halved while larger than M)">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"128",
           "Columns of C per workgroup (halved while larger than N)">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"8",
           "Depth of the A and B slices in workgroup memory">,
    Option<"threadM", "thread-m", "int64_t", /*default=*/"8",
           "Rows of C per thread">,
    Option<"threadN", "thread-n", "int64_t", /*default=*/"8",
           "Columns of C per thread">,
    Option<"fallbackTile", "fallback-tile", "int64_t", /*default=*/"0",
           "Also generate each kernel with fallback-tile × fallback-tile "
           "tiles, for devices whose limits the first exceeds (0: none)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def TileContractionsPass
    : Pass<"tfmc-tile-contractions", "::mlir::ModuleOp"> {
  let summary = "Lower matmul-like linalg ops to cache-tiled, register-tiled vector code";
  let description = [{
    Every bufferized contraction (a `linalg.generic` computing
    `C[b.., m, n] += A[.., m, k] · B[.., k, n]` in f32 from f32, f16 or bf16
    operands, with any operand layout and broadcast batch dimensions)
    becomes the loop nest of a GotoBLAS-style kernel:

    - the columns of C are split into panels of `lanes × vectors` columns,
      and the reduction into blocks of `k-block` steps;
    - for each panel and block, B is copied ("packed") into a small
      stack buffer, `[k-block, lanes × vectors]` f32, which stays in L1
      (converted to f32, zero-padded past the last column);
    - a register tile of `rows × (lanes × vectors)` accumulators (8 × 32
      with AVX-512: 16 of the 32 zmm registers) runs over the block with one
      broadcast of A and `vectors` FMAs per row and step;
    - rows that do not fill a register tile get a smaller tile, columns
      past N are masked, so no shape falls off a cliff.

    A B whose rows run along n and that takes at most 32 KiB (the key and
    value blocks of the flash attention form) is read in place instead:
    packing it would cost as much as it saves.

    Elementwise neighbours become prologue and epilogue first (a host
    step, over the calls of every non-kernel function): the kernel called
    just before a contraction kernel that computes all of its output C
    without reading it (a linear layer's bias broadcast) and the one called
    just after that reads C once, along its rows, (ReLU, GELU, a residual
    add, scaling) are fused with it into one kernel (`<kernel>_fused<N>`,
    marked `tfmc.fused_neighbours`, shared by identical call sequences;
    the kernels no longer called are erased; ops next to a contraction in
    any other function keep their own loops). Pure view ops may sit between the calls, and C may be read or
    written through reshapes adding unit dimensions. The register tile then
    starts from the prologue's value in the first reduction block and, in
    the last, applies the epilogue's body to its accumulators as vectors
    and stores the result where the epilogue writes: in place, or into
    another buffer D when nothing reads C afterwards (the next use of C
    overwrites it) and D overlaps none of the inputs — C is then never
    written in full. Epilogues whose body is not elementwise-mappable
    scalar ops, or that read an operand across the columns, stay kernels
    of their own.

    Rows are visited in cache blocks of at most 1 MiB of A per `k-block`,
    so A is read from L2. A kernel marked `tfmc.parallel_loop` gets the
    attribute moved to the panel loop (or an outer batch loop when there
    are few panels), which `tfmc-parallelize-kernels` runs in parallel.
    Contractions with fewer rows than a register tile over a B whose
    reduction dimension is innermost (matrix-vector products against a
    linear layer's weights) keep the dot-product loop order, which streams
    the weights once without packing them.

    ```mlir
    linalg.generic {indexing_maps = [(m,n,k) -> (m,k), (m,n,k) -> (n,k), (m,n,k) -> (m,n)],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<64x128xf32>, memref<256x128xf32>) outs(%c : memref<64x256xf32>) {..mulf, addf..}
    // becomes
    scf.for %n = %c0 to %c256 step %c32 {          // panels of 32 columns
      memref.alloca_scope {
        %panel = memref.alloca() : memref<128x32xf32>
        scf.for %k0 = ...                           // blocks of the reduction
          ... pack B[n:n+32, k0:k0+kb] into %panel ...
          scf.for %m = %c0 to %c64 step %c8 {       // 8 x 32 register tile
            ... 16 x vector.load C, scf.for over k: vector.broadcast A, vector.fma ...
          }
      }
    }
    ```
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16",
           "f32 lanes of a vector register (16: AVX-512, 8: AVX2)">,
    Option<"rows", "rows", "int64_t", /*default=*/"8",
           "Rows of the register tile">,
    Option<"vectors", "vectors", "int64_t", /*default=*/"2",
           "Vector registers per row of the register tile">,
    Option<"kBlock", "k-block", "int64_t", /*default=*/"256",
           "Reduction steps per packed block of B">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def VectorizeReductionsPass
    : Pass<"tfmc-vectorize-reductions", "::mlir::func::FuncOp"> {
  let summary = "Vectorize reductions over the innermost, contiguous dimension";
  let description = [{
    A bufferized `linalg.generic` whose only reduction is its innermost
    loop, combining into an f32 output with `addf`, `mulf` or a float
    max/min, and whose body is otherwise elementwise arith/math ops (the
    max and sum of softmax and of the flash attention blocks, layer norm's
    moments, `tfm.reduce`), becomes loops over its parallel dimensions
    (same order: a kernel's `tfmc.parallel_loop` still names the same loop)
    around a vector loop: `lanes` partial results in one register, inputs
    loaded as vectors along the row, a masked tail (masked lanes contribute
    the neutral element), then one horizontal reduction combined with the
    output (`vector.reduction`; for the NaN-keeping `maximumf`/`minimumf`,
    halves folded together in log2(lanes) vector steps instead: LLVM
    expands their `vector.reduction` into a serial chain of scalar
    compares, which cost the flash attention's row max as much as its
    exp). After plain linalg-to-loops such loops keep the
    accumulator in memory and, for max, cannot be reassociated by LLVM:
    one element per ~4 cycles instead of 16 per cycle.

    Partial sums change the order of additions (as every vectorized library
    does): results differ from a sequential sum by rounding only.

    ```mlir
    linalg.generic {iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<512x64xf32>) outs(%m : memref<512xf32>) { arith.maximumf }
    // becomes
    scf.for %i = %c0 to %c512 step %c1 {
      %v = scf.for %r = %c0 to %c64 step %c16 iter_args(%acc = %neg_inf) {
        %x = vector.load %x[%i, %r] : memref<512x64xf32>, vector<16xf32>
        %a = arith.maximumf %acc, %x : vector<16xf32>
        scf.yield %a
      }
      %r = vector.reduction <maximumf>, %v : vector<16xf32> into f32
      ... memref.store (maximumf of %m[%i] and %r), %m[%i]
    }
    ```
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16",
           "f32 lanes of a vector register (16: AVX-512, 8: AVX2)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowerGPUAttentionPass
    : Pass<"tfmc-lower-gpu-attention", "::mlir::ModuleOp"> {
  let summary = "Generate the online-softmax (flash) attention GPU kernel";
  let description = [{
    For the Vulkan target. `convert-tfm-to-linalg` lowers a `tfm.attention`
    configured `"gpu-flash"` to a call of a function declaration carrying
    `tfmc.attention = {scale, causal}`, with the operands as buffers
    `(query, key, value[, mask], result)`. This pass gives each such
    declaration its body, one `gpu.launch` (the host schedule cannot loop,
    so the loop over keys runs inside the kernel):

    - a workgroup of `threads` threads attends `threads × rows` queries of
      one head (grid: query blocks × the leading dimensions); each thread
      owns `rows` query rows (interleaved with its neighbours') and keeps
      their scaled query vectors, output accumulators, running maximum and
      running sum in registers, so a row's maximum and sum need no
      exchange between threads;
    - keys and values are staged in workgroup memory as f32 (4-vectors
      where D and Dv allow: one load for four elements), in blocks of the
      most keys (up to `key-block`) whose K and V fit Vulkan's guaranteed
      16 KiB, between barriers, when the problem is large enough for the
      full `rows` (smaller ones, and `workgroup-memory=false`: every thread
      reads them from the buffers, a kernel that compiles faster);
    - each thread walks a block `chunk` keys at a time: the chunk's scores
      for its rows, one rescale of the accumulators by
      `exp(m_old - m_new)`, then the chunk's values; every key or value
      element read feeds `rows` multiply-adds (all threads read the same
      key at the same time);
    - the causal rule skips the keys past the workgroup's last row's
      diagonal and masks the rest per key; masks (boolean or additive,
      broadcast on any dimension) and grouped-query heads index as
      `tfm.attention` defines; keys past Sk are masked;
    - rows whose keys are all masked give zeros; the division by the
      running sum happens once, at the store.

    Extra memory: none outside the kernel (never the [Sq, Sk] scores).
    `rows` is halved while `rows × (D + Dv)` exceeds 1024 values (the
    register budget) or while the grid would have fewer than 8 workgroups
    (small problems: more parallelism, and a smaller kernel, which the
    driver compiles faster).

    The defaults were measured on lavapipe (`test/bench/vulkan_bench.py`,
    S = 2048, 8 heads, Dh 64: 558 ms, 2.15× the plain form with its tiled
    matmuls), where every memory access is a loop over the SIMD lanes, so
    values in registers and 4-wide loads are what pay: 8 rows per thread
    beat 4 (882 ms) and 2 (1.18 s); reading K/V from the buffers instead of
    staging them took 724 ms (scalar staging was slower still, and its
    coroutine frames, which barriers cost on lavapipe, took minutes to
    compile); chunks of 2 or 4 keys ran no faster and compiled slower; 32
    threads beat 16 and 64 (causal too: 317 ms). A new kernel takes
    lavapipe about 10 s to compile (once: it caches it on disk).

    ```mlir
    func.func private @__tfmc_attention_0(memref<1x8x512x64xf32>, ...,
        memref<1x8x512x64xf32>) attributes {tfmc.attention = {scale = 0.125 : f64}}
    // becomes a kernel function:
    func.func private @__tfmc_attention_0(%q: ..., %k: ..., %v: ..., %o: ...)
        attributes {tfmc.kernel} {
      gpu.launch blocks(2, 8, 1) threads(32, 1, 1) {
        %ks = memref.alloc() : memref<32x16xvector<4xf32>, 3>  // workgroup
        %vs = memref.alloc() : memref<32x16xvector<4xf32>, 3>  // memory
        q[8][64] = scale · Q rows                             // registers
        scf.for %kb = 0 to 512 step 32 iter_args(acc[8][64], max[8], sum[8]) {
          stage K, V rows kb .. kb + 31; gpu.barrier
          scf.for %j: s[i] = q[i] · K[j]; rescale; acc[i] += p[i] · V[j]
          gpu.barrier
        }
        store acc / sum
      }
    }
    ```
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"32",
           "Threads per workgroup (fewer when the queries are fewer)">,
    Option<"rows", "rows", "int64_t", /*default=*/"8",
           "Query rows per thread">,
    Option<"keyBlock", "key-block", "int64_t", /*default=*/"64",
           "Most keys per block staged in workgroup memory">,
    Option<"chunk", "chunk", "int64_t", /*default=*/"1",
           "Keys per rescale of the accumulators">,
    Option<"workgroupMemory", "workgroup-memory", "bool", /*default=*/"true",
           "Stage key/value blocks in workgroup memory (false: every "
           "thread reads them from the buffers)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def MapReductionsToSubgroupsPass
    : Pass<"tfmc-map-reductions-to-subgroups", "::mlir::ModuleOp"> {
  let summary = "Run row reductions with a subgroup per row";
  let description = [{
    For the Vulkan target, before `tfmc-map-to-gpu`: a kernel whose one op
    is a float reduction `out = combine(out, f(inputs))` (`combine` one of
    `arith.addf`, `arith.maximumf`, `arith.minimumf`) over its innermost
    loop, the other loops parallel and the row at least `min-length` long
    (softmax's maximum and sum, layer norm's moments, small matrix-vector
    products), becomes one `gpu.launch` in which each subgroup reduces one
    row at a time: its lanes stride along the row (lane, lane + subgroup
    size, ...) keeping partial results, `gpu.subgroup_reduce` combines
    them, and lane 0 folds the total into the output's initial value. A
    workgroup of `threads` threads takes `rows-per-workgroup` rows, shared
    among its subgroups whatever their size (read in the kernel), with no
    barrier. Maxima and minima keep NaNs as `arith.maximumf` does (SPIR-V's
    subgroup max may not: the NaN lanes are counted).

    The summation order differs from one thread per row (a tree over the
    lanes' partials), within the tests' tolerances. Subgroup arithmetic is
    optional in Vulkan: each such kernel keeps its plain form as the
    variant named in `tfmc.fallback`, which the runtime dispatches on
    devices without it (or with `TFMRT_VULKAN_NO_SUBGROUPS=1`).
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"64",
           "Threads per workgroup">,
    Option<"rowsPerWorkgroup", "rows-per-workgroup", "int64_t",
           /*default=*/"8", "Rows each workgroup reduces">,
    Option<"minLength", "min-length", "int64_t", /*default=*/"32",
           "Shortest row worth a subgroup">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def MapToGPUPass : Pass<"tfmc-map-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Run each kernel as a GPU launch, one thread per parallel iteration";
  let description = [{
    For the Vulkan target, on each kernel function (`tfmc.kernel`, from
    `tfmc-outline-kernels`): the kernel's linalg op becomes loops with its
    parallel dimensions outermost (one `scf.parallel`; named ops are
    generalized, loops interchanged so reductions come last), and the
    kernel's body one `gpu.launch` in which every iteration of that
    `scf.parallel` (of any number of dimensions) is one thread:
    the linear thread index `(block.y · grid.x + block.x) · W + thread.x`
    is delinearized, innermost dimension fastest, so neighbouring threads
    touch neighbouring elements; threads past the end do nothing.
    Reductions stay sequential loops inside a thread (and so does any
    parallel loop nested in one). Kernels that still call the host
    (`tfmc-record-index-errors` turns index checks into buffer writes) are
    refused with the op's location. Workgroups have
    `workgroup-size` threads (fewer for smaller kernels), the grid spreads
    over x and y (at most 65535 each, what Vulkan guarantees). A kernel
    without parallel loops runs on one thread.

    The module gets `gpu.container_module` and, unless it has one, a
    `spirv.target_env` for Vulkan 1.1 with f16, int8/16/64 and 8/16-bit
    storage (`spirv-update-vce` trims each kernel's requirements).

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c40) step (%c1, %c1) { body(%i, %j) }
    // becomes
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c3, ...) threads(%tx, ...) in (%sx = %c64, ...) {
      %id = ((%by * 3 + %bx) * 64 + %tx)
      scf.if (%id < 160) { %j = %id rem 40; %i = %id div 40; body(%i, %j) }
    }
    ```
  }];
  let options = [
    Option<"workgroupSize", "workgroup-size", "int64_t", /*default=*/"64",
           "Threads per workgroup">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::spirv::SPIRVDialect"];
}

def RecordIndexErrorsPass
    : Pass<"tfmc-record-index-errors", "::mlir::ModuleOp"> {
  let summary = "Report out-of-range indices from GPU kernels through a buffer";
  let description = [{
    For the Vulkan target, after `tfmc-outline-kernels`: a GPU kernel
    cannot call the host, so each call of `tfmrt_index_error(index, lower,
    upper, site)` in a kernel (the run-time index checks of `tfm.embedding`
    and `tfm.gather`) becomes a write into an index-error record: the kernel
    takes the buffer `@__tfmc_index_errors` (`memref<8xi32>`) as one more
    argument, every caller passes it, and the check does

    ```mlir
    %n = memref.atomic_rmw addi %c1, %record[%c0] : (i32, memref<8xi32>) -> i32
    scf.if (%n == 0) {   // the first error of the run writes the record
      record[1] = site; record[2..3] = index; record[4..5] = lower; record[6..7] = upper
    }
    ```

    (64-bit values as low, high words). The site strings, numbered in order
    of first use, go into the module's `tfmc.index_error_sites`; the runtime
    zeroes the record before each run and, when word 0 is not zero after it,
    fails the run with the same message as the CPU target
    (`index 12 out of range [0, 10) in tfm.embedding at model.mlir:3:8`).
    The clamped index the check returns keeps the kernel's memory accesses
    in bounds meanwhile.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def PreserveFloatSpecialsPass
    : Pass<"tfmc-preserve-float-specials", "::mlir::spirv::ModuleOp"> {
  let summary = "Ask the driver to keep IEEE signed zeros, infinities and NaNs";
  let description = [{
    Without it a Vulkan driver may optimize float arithmetic as if there were
    no signed zeros, infinities or NaNs (lavapipe does: `-0 + 0` gives `-0`,
    `inf - inf` gives 0), where the CPU target follows IEEE 754. Each entry
    point gets `SignedZeroInfNanPreserve` for every float width the kernel
    uses (16, 32), which brings in the capability and
    `SPV_KHR_float_controls` (`spirv-update-vce`).

    ```mlir
    spirv.ExecutionMode @kernel "LocalSize", 64, 1, 1
    // gains
    spirv.ExecutionMode @kernel "SignedZeroInfNanPreserve", 32
    ```

    Vulkan 1.2 makes the request optional for devices
    (`shaderSignedZeroInfNanPreserveFloat16/32`); the runtime removes it from
    the SPIR-V for a device without it, where such values may then differ
    from the CPU target's.
  }];
}

def SetSPIRVEntryPointsPass
    : Pass<"tfmc-set-spirv-entry-points", "::mlir::ModuleOp"> {
  let summary = "Give each GPU kernel the SPIR-V entry point ABI of its block size";
  let description = [{
    After `gpu-kernel-outlining`, each `gpu.func` kernel knows its block
    size (`known_block_size`); `convert-gpu-to-spirv` needs it as
    `spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [...]>`,
    the compute shader's `LocalSize`.
  }];
  let dependentDialects = ["::mlir::spirv::SPIRVDialect"];
}

#endif // TFMC_CODEGEN_PASSES_TD
