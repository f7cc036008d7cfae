//===- EmitObject.cpp - in-process LLVM optimization and codegen -*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "DriverInternal.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

Expected<std::unique_ptr<TargetMachine>>
tfmc::createTargetMachine(StringRef cpu, StringRef features) {
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  InitializeNativeTargetAsmParser(); // for the weights' module asm
  Triple triple(sys::getDefaultTargetTriple());
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             "no target for " + triple.str() + ": " + error);
  std::string cpuName = cpu.empty() ? sys::getHostCPUName().str() : cpu.str();
  // Host features unless a CPU is named; --mattr adjusts either.
  SmallVector<std::string> featureList;
  if (cpu.empty())
    for (const auto &[name, enabled] : sys::getHostCPUFeatures())
      featureList.push_back((enabled ? "+" : "-") + name.str());
  if (!features.empty())
    featureList.push_back(features.str());
  std::string featureString = llvm::join(featureList, ",");
  TargetOptions targetOptions;
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, featureString, targetOptions, Reloc::PIC_, std::nullopt,
      CodeGenOptLevel::Aggressive));
  if (!machine)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create a target machine for " +
                                 triple.str() + " (cpu '" + cpuName + "')");
  if (!cpu.empty() && !machine->getMCSubtargetInfo()->isCPUStringValid(cpuName))
    return createStringError(inconvertibleErrorCode(),
                             "unknown CPU '" + cpuName + "' for --mcpu");
  return machine;
}

int64_t tfmc::getVectorBits(const TargetMachine &machine) {
  // NEON, SVE at its minimum and SSE are 128 bits wide.
  if (!machine.getTargetTriple().isX86())
    return 128;
  const MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  if (info->checkFeatures("+avx512f"))
    return 512;
  if (info->checkFeatures("+avx"))
    return 256;
  return 128;
}

void tfmc::optimizeModule(Module &module, TargetMachine &machine) {
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(&machine);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(OptimizationLevel::O3);
  mpm.run(module, mam);
}

Error tfmc::emitCode(Module &module, TargetMachine &machine, bool assembly,
                     raw_pwrite_stream &os) {
  legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, os, nullptr,
                                  assembly ? CodeGenFileType::AssemblyFile
                                           : CodeGenFileType::ObjectFile))
    return createStringError(inconvertibleErrorCode(),
                             "the target cannot emit this file type");
  pm.run(module);
  return Error::success();
}
