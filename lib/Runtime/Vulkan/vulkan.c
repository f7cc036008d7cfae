/*===- vulkan.c - the Vulkan part of the tfmc runtime ----------------*- C -*-===*
 *
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 *===----------------------------------------------------------------------===*
 *
 * Every Vulkan entry point comes from the loader opened at run time: the
 * executable links only libc, starts everywhere, and reports a missing
 * loader or device as such. See tfmrt_vulkan.h for the model of use.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#define VK_NO_PROTOTYPES
#include "tfmc/Runtime/tfmrt_vulkan.h"

#include <vulkan/vulkan.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*===----------------------------------------------------------------------===*
 * Errors
 *===----------------------------------------------------------------------===*/

static _Thread_local char last_error[512];

const char *tfmrt_vk_last_error(void) { return last_error; }

static tfmrt_vk_status fail(tfmrt_vk_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(last_error, sizeof last_error, format, args);
  va_end(args);
  return status;
}

static tfmrt_vk_status vk_fail(const char *call, VkResult result) {
  return fail(TFMRT_VK_ERROR, "%s failed (VkResult %d)", call, (int)result);
}

/*===----------------------------------------------------------------------===*
 * Entry points
 *===----------------------------------------------------------------------===*/

#define TFMRT_VK_INSTANCE_FUNCTIONS(X)                                         \
  X(vkDestroyInstance)                                                         \
  X(vkEnumeratePhysicalDevices)                                                \
  X(vkGetPhysicalDeviceProperties)                                             \
  X(vkGetPhysicalDeviceProperties2)                                            \
  X(vkGetPhysicalDeviceFeatures2)                                              \
  X(vkGetPhysicalDeviceQueueFamilyProperties)                                  \
  X(vkGetPhysicalDeviceMemoryProperties)                                       \
  X(vkCreateDevice)                                                            \
  X(vkGetDeviceProcAddr)

#define TFMRT_VK_DEVICE_FUNCTIONS(X)                                           \
  X(vkDestroyDevice)                                                           \
  X(vkGetDeviceQueue)                                                          \
  X(vkCreateBuffer)                                                            \
  X(vkDestroyBuffer)                                                           \
  X(vkGetBufferMemoryRequirements)                                             \
  X(vkAllocateMemory)                                                          \
  X(vkFreeMemory)                                                              \
  X(vkBindBufferMemory)                                                        \
  X(vkMapMemory)                                                               \
  X(vkUnmapMemory)                                                             \
  X(vkCreateShaderModule)                                                      \
  X(vkDestroyShaderModule)                                                     \
  X(vkCreateDescriptorSetLayout)                                               \
  X(vkDestroyDescriptorSetLayout)                                              \
  X(vkCreatePipelineLayout)                                                    \
  X(vkDestroyPipelineLayout)                                                   \
  X(vkCreateComputePipelines)                                                  \
  X(vkDestroyPipeline)                                                         \
  X(vkCreateDescriptorPool)                                                    \
  X(vkDestroyDescriptorPool)                                                   \
  X(vkAllocateDescriptorSets)                                                  \
  X(vkUpdateDescriptorSets)                                                    \
  X(vkCreateCommandPool)                                                       \
  X(vkDestroyCommandPool)                                                      \
  X(vkAllocateCommandBuffers)                                                  \
  X(vkFreeCommandBuffers)                                                      \
  X(vkBeginCommandBuffer)                                                      \
  X(vkEndCommandBuffer)                                                        \
  X(vkCmdBindPipeline)                                                         \
  X(vkCmdBindDescriptorSets)                                                   \
  X(vkCmdPushConstants)                                                        \
  X(vkCmdDispatch)                                                             \
  X(vkCmdPipelineBarrier)                                                      \
  X(vkCmdCopyBuffer)                                                           \
  X(vkCmdResetQueryPool)                                                       \
  X(vkCmdWriteTimestamp)                                                       \
  X(vkCreateQueryPool)                                                         \
  X(vkDestroyQueryPool)                                                        \
  X(vkGetQueryPoolResults)                                                     \
  X(vkQueueSubmit)                                                             \
  X(vkCreateFence)                                                             \
  X(vkDestroyFence)                                                            \
  X(vkWaitForFences)                                                           \
  X(vkResetFences)

#define TFMRT_VK_DECLARE(name) PFN_##name name;

/* The loader and the instance: shared by tfmrt_vk_list_devices and each
 * tfmrt_vk. */
typedef struct loader {
  void *library;
  VkInstance instance;
  VkDebugUtilsMessengerEXT messenger;
  int validation_messages;
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr;
  PFN_vkDestroyDebugUtilsMessengerEXT vkDestroyDebugUtilsMessengerEXT;
  TFMRT_VK_INSTANCE_FUNCTIONS(TFMRT_VK_DECLARE)
} loader;

static VKAPI_ATTR VkBool32 VKAPI_CALL
on_validation_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                      VkDebugUtilsMessageTypeFlagsEXT type,
                      const VkDebugUtilsMessengerCallbackDataEXT *data,
                      void *user) {
  (void)type;
  loader *l = user;
  if (severity & (VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                  VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)) {
    ++l->validation_messages;
    fprintf(stderr, "tfmrt: Vulkan validation: %s\n", data->pMessage);
  }
  return VK_FALSE;
}

static void loader_close(loader *l) {
  if (l->instance) {
    if (l->messenger)
      l->vkDestroyDebugUtilsMessengerEXT(l->instance, l->messenger, NULL);
    l->vkDestroyInstance(l->instance, NULL);
  }
  if (l->library)
    dlclose(l->library);
  memset(l, 0, sizeof *l);
}

static tfmrt_vk_status loader_open(loader *l, int validation) {
  memset(l, 0, sizeof *l);
  /* TFMRT_VULKAN_LOADER names another loader (tests, unusual installs). */
  const char *path = getenv("TFMRT_VULKAN_LOADER");
  if (!path || !*path)
    path = "libvulkan.so.1";
  l->library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!l->library)
    return fail(TFMRT_VK_NO_LOADER,
                "no Vulkan loader: cannot open %s (install the Vulkan loader, "
                "e.g. Debian's libvulkan1, and a driver for the GPU)",
                path);
  /* POSIX allows converting dlsym's result to a function pointer. */
  *(void **)&l->vkGetInstanceProcAddr =
      dlsym(l->library, "vkGetInstanceProcAddr");
  if (!l->vkGetInstanceProcAddr) {
    loader_close(l);
    return fail(TFMRT_VK_NO_LOADER, "%s is not a Vulkan loader", path);
  }
  PFN_vkCreateInstance create = (PFN_vkCreateInstance)l->vkGetInstanceProcAddr(
      NULL, "vkCreateInstance");
  PFN_vkEnumerateInstanceLayerProperties layers =
      (PFN_vkEnumerateInstanceLayerProperties)l->vkGetInstanceProcAddr(
          NULL, "vkEnumerateInstanceLayerProperties");
  if (!create || !layers) {
    loader_close(l);
    return fail(TFMRT_VK_NO_LOADER, "%s is not a Vulkan loader", path);
  }

  const char *validation_layer = "VK_LAYER_KHRONOS_validation";
  const char *debug_extension = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
  if (validation) {
    uint32_t count = 0;
    layers(&count, NULL);
    VkLayerProperties *props = calloc(count ? count : 1, sizeof *props);
    int found = 0;
    if (props && layers(&count, props) == VK_SUCCESS)
      for (uint32_t i = 0; i < count; ++i)
        found |= strcmp(props[i].layerName, validation_layer) == 0;
    free(props);
    if (!found) {
      loader_close(l);
      return fail(TFMRT_VK_UNSUPPORTED,
                  "validation asked for, but the %s layer is not installed "
                  "(Debian: vulkan-validationlayers)",
                  validation_layer);
    }
  }

  VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "tfmc model",
      .pEngineName = "tfmc",
      .apiVersion = VK_API_VERSION_1_2,
  };
  VkDebugUtilsMessengerCreateInfoEXT messenger_info = {
      .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
      .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
      .pfnUserCallback = on_validation_message,
      .pUserData = l,
  };
  VkInstanceCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pNext = validation ? &messenger_info : NULL,
      .pApplicationInfo = &app,
      .enabledLayerCount = validation ? 1 : 0,
      .ppEnabledLayerNames = &validation_layer,
      .enabledExtensionCount = validation ? 1 : 0,
      .ppEnabledExtensionNames = &debug_extension,
  };
  VkResult result = create(&info, NULL, &l->instance);
  if (result != VK_SUCCESS) {
    l->instance = VK_NULL_HANDLE;
    loader_close(l);
    if (result == VK_ERROR_INCOMPATIBLE_DRIVER)
      return fail(TFMRT_VK_NO_DEVICE, "no Vulkan device: the loader found no "
                                      "compatible driver");
    return vk_fail("vkCreateInstance", result);
  }
#define TFMRT_VK_LOAD_INSTANCE(name)                                           \
  l->name = (PFN_##name)l->vkGetInstanceProcAddr(l->instance, #name);          \
  if (!l->name) {                                                              \
    loader_close(l);                                                           \
    return fail(TFMRT_VK_UNSUPPORTED, "the Vulkan loader lacks " #name         \
                                      " (Vulkan 1.1 is required)");            \
  }
  TFMRT_VK_INSTANCE_FUNCTIONS(TFMRT_VK_LOAD_INSTANCE)
#undef TFMRT_VK_LOAD_INSTANCE
  if (validation) {
    PFN_vkCreateDebugUtilsMessengerEXT create_messenger =
        (PFN_vkCreateDebugUtilsMessengerEXT)l->vkGetInstanceProcAddr(
            l->instance, "vkCreateDebugUtilsMessengerEXT");
    l->vkDestroyDebugUtilsMessengerEXT =
        (PFN_vkDestroyDebugUtilsMessengerEXT)l->vkGetInstanceProcAddr(
            l->instance, "vkDestroyDebugUtilsMessengerEXT");
    if (!create_messenger || !l->vkDestroyDebugUtilsMessengerEXT ||
        create_messenger(l->instance, &messenger_info, NULL, &l->messenger) !=
            VK_SUCCESS) {
      loader_close(l);
      return fail(TFMRT_VK_UNSUPPORTED, "cannot install the validation "
                                        "message callback");
    }
  }
  return TFMRT_VK_OK;
}

static const char *device_type_name(VkPhysicalDeviceType type) {
  switch (type) {
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
  case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
  default: return "other";
  }
}

/* A positive integer from the environment variable `name`: 1 when set,
 * 0 when unset, -1 when set to anything else. */
static int env_limit(const char *name, uint32_t *out) {
  const char *text = getenv(name);
  if (!text)
    return 0;
  char *end;
  unsigned long long value = strtoull(text, &end, 10);
  if (!*text || *end || text[0] == '-' || value == 0 || value > UINT32_MAX)
    return -1;
  *out = (uint32_t)value;
  return 1;
}

static void describe_device(loader *l, VkPhysicalDevice device,
                            tfmrt_vk_device_info *info) {
  VkPhysicalDeviceSubgroupProperties subgroup = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
      .pNext = &subgroup};
  l->vkGetPhysicalDeviceProperties2(device, &props);
  memset(info, 0, sizeof *info);
  snprintf(info->name, sizeof info->name, "%s", props.properties.deviceName);
  info->type = device_type_name(props.properties.deviceType);
  info->api_version = props.properties.apiVersion;
  info->max_storage_buffer_range = props.properties.limits.maxStorageBufferRange;
  info->max_shared_memory = props.properties.limits.maxComputeSharedMemorySize;
  info->subgroup_size = subgroup.subgroupSize;
  const VkSubgroupFeatureFlags arithmetic =
      VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;
  const char *no_subgroups = getenv("TFMRT_VULKAN_NO_SUBGROUPS");
  info->subgroup_arithmetic =
      (subgroup.supportedOperations & arithmetic) == arithmetic &&
      (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
      !(no_subgroups && *no_subgroups && strcmp(no_subgroups, "0") != 0);
}

static tfmrt_vk_status physical_devices(loader *l, VkPhysicalDevice **out,
                                        uint32_t *count) {
  *out = NULL;
  *count = 0;
  VkResult result = l->vkEnumeratePhysicalDevices(l->instance, count, NULL);
  if (result != VK_SUCCESS)
    return vk_fail("vkEnumeratePhysicalDevices", result);
  if (*count == 0)
    return fail(TFMRT_VK_NO_DEVICE, "no Vulkan device: the Vulkan loader "
                                    "reports none (install a driver, e.g. "
                                    "Mesa's mesa-vulkan-drivers)");
  *out = calloc(*count, sizeof **out);
  if (!*out)
    return fail(TFMRT_VK_ERROR, "out of memory");
  result = l->vkEnumeratePhysicalDevices(l->instance, count, *out);
  if (result != VK_SUCCESS && result != VK_INCOMPLETE) {
    free(*out);
    return vk_fail("vkEnumeratePhysicalDevices", result);
  }
  return TFMRT_VK_OK;
}

tfmrt_vk_status tfmrt_vk_list_devices(tfmrt_vk_device_info *infos,
                                      int capacity, int *count) {
  *count = 0;
  loader l;
  tfmrt_vk_status status = loader_open(&l, 0);
  if (status != TFMRT_VK_OK)
    return status;
  VkPhysicalDevice *devices;
  uint32_t n;
  status = physical_devices(&l, &devices, &n);
  if (status == TFMRT_VK_OK) {
    for (uint32_t i = 0; i < n && (int)i < capacity; ++i)
      describe_device(&l, devices[i], &infos[i]);
    *count = (int)n;
    free(devices);
  }
  loader_close(&l);
  return status;
}

/*===----------------------------------------------------------------------===*
 * Device
 *===----------------------------------------------------------------------===*/

struct tfmrt_vk_buffer {
  VkBuffer buffer;
  VkDeviceMemory memory;
  uint64_t bytes;
  void *mapped; /* null: device-only memory, reached through staging */
  tfmrt_vk_buffer *next;
};

struct tfmrt_vk_kernel {
  VkShaderModule module;
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
  uint32_t bindings, push_bytes;
  tfmrt_vk_kernel *next;
};

/* One step of a schedule: a dispatch, or a copy between buffers (kernel
 * null). */
typedef struct dispatch {
  tfmrt_vk_kernel *kernel;
  tfmrt_vk_binding *bindings;
  unsigned char push[128];
  uint32_t groups[3];
  tfmrt_vk_binding copy_from, copy_to;
} dispatch;

struct tfmrt_vk_schedule {
  tfmrt_vk *vk;
  dispatch *dispatches;
  uint32_t count, capacity;
  VkDescriptorPool pool;
  VkCommandBuffer commands;
  VkQueryPool timestamps;
  uint32_t queries;
  uint64_t *ticks; /* the last run's timestamps */
  int have_ticks;
  int recorded;
  tfmrt_vk_schedule *next;
};

struct tfmrt_vk {
  loader l;
  VkPhysicalDevice physical;
  VkPhysicalDeviceProperties properties;
  VkPhysicalDeviceMemoryProperties memory;
  tfmrt_vk_device_info info;
  VkDevice device;
  VkQueue queue;
  uint32_t queue_family;
  int has_timestamps;
  int profile; /* a timestamp after every step */
  uint32_t preserves_float_specials; /* TFMRT_VK_FLOAT16/32 */
  VkCommandPool command_pool;
  VkFence fence;
  tfmrt_vk_buffer *buffers;
  tfmrt_vk_kernel *kernels;
  tfmrt_vk_schedule *schedules;
  TFMRT_VK_DEVICE_FUNCTIONS(TFMRT_VK_DECLARE)
};

const tfmrt_vk_device_info *tfmrt_vk_device(const tfmrt_vk *vk) {
  return &vk->info;
}

int tfmrt_vk_validation_messages(const tfmrt_vk *vk) {
  return vk->l.validation_messages;
}

/* The device's features the model needs, chained for vkCreateDevice. */
typedef struct feature_chain {
  VkPhysicalDeviceFeatures2 base;
  VkPhysicalDeviceVulkan11Features v11;
  VkPhysicalDeviceVulkan12Features v12;
  VkPhysicalDevice16BitStorageFeatures storage16; /* Vulkan 1.1 devices */
  VkPhysicalDeviceVariablePointersFeatures pointers; /* Vulkan 1.1 devices */
} feature_chain;

/* An empty chain: Vulkan 1.1/1.2 feature structs on 1.2 devices, the 16-bit
 * storage struct on 1.1 ones. */
static void init_feature_chain(feature_chain *chain, int v12) {
  memset(chain, 0, sizeof *chain);
  chain->base.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
  if (v12) {
    chain->v11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
    chain->v12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    chain->base.pNext = &chain->v11;
    chain->v11.pNext = &chain->v12;
  } else {
    chain->storage16.sType =
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    chain->pointers.sType =
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VARIABLE_POINTERS_FEATURES;
    chain->base.pNext = &chain->storage16;
    chain->storage16.pNext = &chain->pointers;
  }
}

static tfmrt_vk_status enable_features(tfmrt_vk *vk, uint32_t needs,
                                       feature_chain *enable) {
  int v12 = vk->properties.apiVersion >= VK_API_VERSION_1_2;
  feature_chain have;
  init_feature_chain(&have, v12);
  vk->l.vkGetPhysicalDeviceFeatures2(vk->physical, &have.base);
  init_feature_chain(enable, v12);
  const char *name = vk->info.name;
  if (needs & TFMRT_VK_NEEDS_INT64) {
    if (!have.base.features.shaderInt64)
      return fail(TFMRT_VK_UNSUPPORTED, "Vulkan device '%s' lacks shaderInt64, "
                                        "which this model's kernels need", name);
    enable->base.features.shaderInt64 = VK_TRUE;
  }
  if (needs & TFMRT_VK_NEEDS_INT16) {
    if (!have.base.features.shaderInt16)
      return fail(TFMRT_VK_UNSUPPORTED, "Vulkan device '%s' lacks shaderInt16, "
                                        "which this model's kernels need", name);
    enable->base.features.shaderInt16 = VK_TRUE;
  }
  if (needs & TFMRT_VK_NEEDS_STORAGE_16BIT) {
    VkBool32 ok = v12 ? have.v11.storageBuffer16BitAccess
                      : have.storage16.storageBuffer16BitAccess;
    if (!ok)
      return fail(TFMRT_VK_UNSUPPORTED,
                  "Vulkan device '%s' lacks storageBuffer16BitAccess, which "
                  "this model's f16/bf16 tensors need", name);
    if (v12)
      enable->v11.storageBuffer16BitAccess = VK_TRUE;
    else
      enable->storage16.storageBuffer16BitAccess = VK_TRUE;
  }
  if (needs & TFMRT_VK_NEEDS_VARIABLE_POINTERS) {
    VkBool32 ok = v12 ? have.v11.variablePointersStorageBuffer
                      : have.pointers.variablePointersStorageBuffer;
    if (!ok)
      return fail(TFMRT_VK_UNSUPPORTED,
                  "Vulkan device '%s' lacks variablePointersStorageBuffer, "
                  "which this model needs to bind tensors larger than "
                  "--vulkan-max-buffer-range as several ranges (compile "
                  "with a larger range if the device's "
                  "maxStorageBufferRange allows)", name);
    if (v12)
      enable->v11.variablePointersStorageBuffer = VK_TRUE;
    else
      enable->pointers.variablePointersStorageBuffer = VK_TRUE;
  }
  if (needs & (TFMRT_VK_NEEDS_F16 | TFMRT_VK_NEEDS_STORAGE_8BIT |
               TFMRT_VK_NEEDS_INT8)) {
    if (!v12)
      return fail(TFMRT_VK_UNSUPPORTED,
                  "Vulkan device '%s' is Vulkan 1.1; this model's kernels "
                  "need f16 or 8-bit arithmetic or 8-bit storage (Vulkan "
                  "1.2)", name);
    if ((needs & TFMRT_VK_NEEDS_INT8) && !have.v12.shaderInt8)
      return fail(TFMRT_VK_UNSUPPORTED, "Vulkan device '%s' lacks "
                                        "shaderInt8, which this model's "
                                        "kernels need", name);
    enable->v12.shaderInt8 = (needs & TFMRT_VK_NEEDS_INT8) != 0;
    if ((needs & TFMRT_VK_NEEDS_F16) && !have.v12.shaderFloat16)
      return fail(TFMRT_VK_UNSUPPORTED, "Vulkan device '%s' lacks "
                                        "shaderFloat16, which this model's "
                                        "kernels need", name);
    if ((needs & TFMRT_VK_NEEDS_STORAGE_8BIT) &&
        !have.v12.storageBuffer8BitAccess)
      return fail(TFMRT_VK_UNSUPPORTED, "Vulkan device '%s' lacks "
                                        "storageBuffer8BitAccess, which this "
                                        "model's kernels need", name);
    enable->v12.shaderFloat16 = (needs & TFMRT_VK_NEEDS_F16) != 0;
    enable->v12.storageBuffer8BitAccess =
        (needs & TFMRT_VK_NEEDS_STORAGE_8BIT) != 0;
  }
  return TFMRT_VK_OK;
}

static tfmrt_vk_status choose_device(tfmrt_vk *vk, int index) {
  VkPhysicalDevice *devices;
  uint32_t count;
  tfmrt_vk_status status = physical_devices(&vk->l, &devices, &count);
  if (status != TFMRT_VK_OK)
    return status;
  if (index >= (int)count) {
    free(devices);
    return fail(TFMRT_VK_BAD_DEVICE_INDEX,
                "--device %d: there are %u Vulkan device(s), numbered 0 to %u",
                index, count, count - 1);
  }
  if (index < 0) {
    /* A GPU before anything else (a CPU implementation such as lavapipe). */
    index = 0;
    for (uint32_t i = count; i-- > 0;) {
      VkPhysicalDeviceProperties p;
      vk->l.vkGetPhysicalDeviceProperties(devices[i], &p);
      if (p.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU)
        index = (int)i;
    }
    for (uint32_t i = count; i-- > 0;) {
      VkPhysicalDeviceProperties p;
      vk->l.vkGetPhysicalDeviceProperties(devices[i], &p);
      if (p.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU)
        index = (int)i;
    }
  }
  vk->physical = devices[index];
  free(devices);
  vk->l.vkGetPhysicalDeviceProperties(vk->physical, &vk->properties);
  vk->l.vkGetPhysicalDeviceMemoryProperties(vk->physical, &vk->memory);
  describe_device(&vk->l, vk->physical, &vk->info);
  /* Smaller limits on request: a device with Vulkan's minimums, to
   * exercise the kernels' fallback variants (tests, diagnosis). */
  VkPhysicalDeviceLimits *lim = &vk->properties.limits;
  uint32_t cap;
  static const char *const limits[] = {"TFMRT_VULKAN_MAX_INVOCATIONS",
                                       "TFMRT_VULKAN_MAX_SHARED_MEMORY"};
  for (size_t i = 0; i < sizeof limits / sizeof *limits; ++i)
    if (env_limit(limits[i], &cap) < 0)
      return fail(TFMRT_VK_INVALID, "%s='%s' is not a positive integer",
                  limits[i], getenv(limits[i]));
  if (env_limit("TFMRT_VULKAN_MAX_INVOCATIONS", &cap) > 0) {
    if (cap < lim->maxComputeWorkGroupInvocations)
      lim->maxComputeWorkGroupInvocations = cap;
    for (int d = 0; d < 3; ++d)
      if (cap < lim->maxComputeWorkGroupSize[d])
        lim->maxComputeWorkGroupSize[d] = cap;
  }
  if (env_limit("TFMRT_VULKAN_MAX_SHARED_MEMORY", &cap) > 0 &&
      cap < lim->maxComputeSharedMemorySize)
    lim->maxComputeSharedMemorySize = vk->info.max_shared_memory = cap;
  if (vk->properties.apiVersion < VK_API_VERSION_1_1)
    return fail(TFMRT_VK_UNSUPPORTED, "Vulkan device '%s' supports Vulkan "
                                      "%u.%u; 1.1 is required",
                vk->info.name, VK_API_VERSION_MAJOR(vk->properties.apiVersion),
                VK_API_VERSION_MINOR(vk->properties.apiVersion));
  return TFMRT_VK_OK;
}

/* The float widths whose signed zeros, infinities and NaNs kernels can ask
 * the device to keep: Vulkan 1.2's float-controls properties (Vulkan 1.1
 * devices would need VK_KHR_shader_float_controls enabled: not asked). */
static uint32_t float_specials_preserved(tfmrt_vk *vk) {
  if (vk->properties.apiVersion < VK_API_VERSION_1_2)
    return 0;
  VkPhysicalDeviceVulkan12Properties v12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES};
  VkPhysicalDeviceProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &v12};
  vk->l.vkGetPhysicalDeviceProperties2(vk->physical, &props);
  return (v12.shaderSignedZeroInfNanPreserveFloat16 ? TFMRT_VK_FLOAT16 : 0) |
         (v12.shaderSignedZeroInfNanPreserveFloat32 ? TFMRT_VK_FLOAT32 : 0);
}

static tfmrt_vk_status choose_queue(tfmrt_vk *vk) {
  uint32_t count = 0;
  vk->l.vkGetPhysicalDeviceQueueFamilyProperties(vk->physical, &count, NULL);
  VkQueueFamilyProperties *families = calloc(count ? count : 1,
                                             sizeof *families);
  if (!families)
    return fail(TFMRT_VK_ERROR, "out of memory");
  vk->l.vkGetPhysicalDeviceQueueFamilyProperties(vk->physical, &count,
                                                 families);
  int found = -1;
  for (uint32_t i = 0; i < count && found < 0; ++i)
    if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
      found = (int)i;
  if (found >= 0) {
    vk->queue_family = (uint32_t)found;
    vk->has_timestamps = families[found].timestampValidBits > 0 &&
                         vk->properties.limits.timestampComputeAndGraphics;
  }
  free(families);
  if (found < 0)
    return fail(TFMRT_VK_UNSUPPORTED, "Vulkan device '%s' has no compute "
                                      "queue", vk->info.name);
  return TFMRT_VK_OK;
}

tfmrt_vk_status tfmrt_vk_create(const tfmrt_vk_options *options,
                                tfmrt_vk **out) {
  *out = NULL;
  tfmrt_vk *vk = calloc(1, sizeof *vk);
  if (!vk)
    return fail(TFMRT_VK_ERROR, "out of memory");
  tfmrt_vk_status status = loader_open(&vk->l, options->validation);
  if (status == TFMRT_VK_OK)
    status = choose_device(vk, options->device_index);
  if (status == TFMRT_VK_OK)
    status = choose_queue(vk);
  if (status == TFMRT_VK_OK)
    vk->preserves_float_specials = float_specials_preserved(vk);
  vk->profile = options->profile;
  feature_chain features;
  if (status == TFMRT_VK_OK)
    status = enable_features(vk, options->needs, &features);
  if (status != TFMRT_VK_OK) {
    tfmrt_vk_destroy(vk);
    return status;
  }
  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = vk->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
  };
  VkDeviceCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .pNext = &features.base,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &queue,
  };
  VkResult result = vk->l.vkCreateDevice(vk->physical, &info, NULL,
                                         &vk->device);
  if (result != VK_SUCCESS) {
    vk->device = VK_NULL_HANDLE;
    tfmrt_vk_destroy(vk);
    return vk_fail("vkCreateDevice", result);
  }
#define TFMRT_VK_LOAD_DEVICE(name)                                             \
  vk->name = (PFN_##name)vk->l.vkGetDeviceProcAddr(vk->device, #name);         \
  if (!vk->name) {                                                             \
    tfmrt_vk_destroy(vk);                                                      \
    return fail(TFMRT_VK_UNSUPPORTED, "the Vulkan driver lacks " #name);       \
  }
  TFMRT_VK_DEVICE_FUNCTIONS(TFMRT_VK_LOAD_DEVICE)
#undef TFMRT_VK_LOAD_DEVICE
  vk->vkGetDeviceQueue(vk->device, vk->queue_family, 0, &vk->queue);
  VkCommandPoolCreateInfo pool = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
      .queueFamilyIndex = vk->queue_family,
  };
  VkFenceCreateInfo fence = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  if ((result = vk->vkCreateCommandPool(vk->device, &pool, NULL,
                                        &vk->command_pool)) != VK_SUCCESS ||
      (result = vk->vkCreateFence(vk->device, &fence, NULL, &vk->fence)) !=
          VK_SUCCESS) {
    tfmrt_vk_destroy(vk);
    return vk_fail("creating the command pool", result);
  }
  *out = vk;
  return TFMRT_VK_OK;
}

static void schedule_free(tfmrt_vk *vk, tfmrt_vk_schedule *s) {
  if (vk->device) {
    if (s->commands)
      vk->vkFreeCommandBuffers(vk->device, vk->command_pool, 1, &s->commands);
    if (s->pool)
      vk->vkDestroyDescriptorPool(vk->device, s->pool, NULL);
    if (s->timestamps)
      vk->vkDestroyQueryPool(vk->device, s->timestamps, NULL);
  }
  for (uint32_t i = 0; i < s->count; ++i)
    free(s->dispatches[i].bindings);
  free(s->dispatches);
  free(s->ticks);
  free(s);
}

void tfmrt_vk_destroy(tfmrt_vk *vk) {
  if (!vk)
    return;
  if (vk->device) {
    while (vk->schedules) {
      tfmrt_vk_schedule *next = vk->schedules->next;
      schedule_free(vk, vk->schedules);
      vk->schedules = next;
    }
    while (vk->kernels) {
      tfmrt_vk_kernel *k = vk->kernels;
      vk->kernels = k->next;
      vk->vkDestroyPipeline(vk->device, k->pipeline, NULL);
      vk->vkDestroyPipelineLayout(vk->device, k->layout, NULL);
      vk->vkDestroyDescriptorSetLayout(vk->device, k->set_layout, NULL);
      vk->vkDestroyShaderModule(vk->device, k->module, NULL);
      free(k);
    }
    while (vk->buffers) {
      tfmrt_vk_buffer *b = vk->buffers;
      vk->buffers = b->next;
      vk->vkDestroyBuffer(vk->device, b->buffer, NULL);
      vk->vkFreeMemory(vk->device, b->memory, NULL);
      free(b);
    }
    if (vk->fence)
      vk->vkDestroyFence(vk->device, vk->fence, NULL);
    if (vk->command_pool)
      vk->vkDestroyCommandPool(vk->device, vk->command_pool, NULL);
    vk->vkDestroyDevice(vk->device, NULL);
  }
  loader_close(&vk->l);
  free(vk);
}

/*===----------------------------------------------------------------------===*
 * Buffers
 *===----------------------------------------------------------------------===*/

static int find_memory_type(tfmrt_vk *vk, uint32_t allowed,
                            VkMemoryPropertyFlags wanted) {
  for (uint32_t i = 0; i < vk->memory.memoryTypeCount; ++i)
    if ((allowed & (1u << i)) &&
        (vk->memory.memoryTypes[i].propertyFlags & wanted) == wanted)
      return (int)i;
  return -1;
}

/* A buffer with memory of the first of `choices` the device has. */
static tfmrt_vk_status make_buffer(tfmrt_vk *vk, uint64_t bytes,
                                   VkBufferUsageFlags usage,
                                   const VkMemoryPropertyFlags *choices,
                                   int choice_count, tfmrt_vk_buffer **out) {
  tfmrt_vk_buffer *b = calloc(1, sizeof *b);
  if (!b)
    return fail(TFMRT_VK_ERROR, "out of memory");
  b->bytes = bytes;
  VkBufferCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = bytes ? bytes : 4,
      .usage = usage,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
  };
  VkResult result = vk->vkCreateBuffer(vk->device, &info, NULL, &b->buffer);
  if (result != VK_SUCCESS) {
    free(b);
    return vk_fail("vkCreateBuffer", result);
  }
  VkMemoryRequirements req;
  vk->vkGetBufferMemoryRequirements(vk->device, b->buffer, &req);
  int type = -1, c = 0;
  for (; c < choice_count && type < 0; ++c)
    type = find_memory_type(vk, req.memoryTypeBits, choices[c]);
  if (type < 0) {
    vk->vkDestroyBuffer(vk->device, b->buffer, NULL);
    free(b);
    return fail(TFMRT_VK_UNSUPPORTED, "Vulkan device '%s' has no suitable "
                                      "memory type for a buffer",
                vk->info.name);
  }
  VkMemoryAllocateInfo alloc = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req.size,
      .memoryTypeIndex = (uint32_t)type,
  };
  if ((result = vk->vkAllocateMemory(vk->device, &alloc, NULL, &b->memory)) !=
      VK_SUCCESS) {
    vk->vkDestroyBuffer(vk->device, b->buffer, NULL);
    free(b);
    if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY)
      return fail(TFMRT_VK_ERROR, "Vulkan device '%s' is out of memory "
                                  "(allocating %llu bytes)",
                  vk->info.name, (unsigned long long)req.size);
    return vk_fail("vkAllocateMemory", result);
  }
  vk->vkBindBufferMemory(vk->device, b->buffer, b->memory, 0);
  if (vk->memory.memoryTypes[type].propertyFlags &
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    if ((result = vk->vkMapMemory(vk->device, b->memory, 0, VK_WHOLE_SIZE, 0,
                                  &b->mapped)) != VK_SUCCESS) {
      vk->vkDestroyBuffer(vk->device, b->buffer, NULL);
      vk->vkFreeMemory(vk->device, b->memory, NULL);
      free(b);
      return vk_fail("vkMapMemory", result);
    }
  }
  b->next = vk->buffers;
  vk->buffers = b;
  *out = b;
  return TFMRT_VK_OK;
}

static void release_buffer(tfmrt_vk *vk, tfmrt_vk_buffer *b) {
  for (tfmrt_vk_buffer **p = &vk->buffers; *p; p = &(*p)->next)
    if (*p == b) {
      *p = b->next;
      break;
    }
  vk->vkDestroyBuffer(vk->device, b->buffer, NULL);
  vk->vkFreeMemory(vk->device, b->memory, NULL);
  free(b);
}

tfmrt_vk_status tfmrt_vk_buffer_create(tfmrt_vk *vk, uint64_t bytes,
                                       tfmrt_vk_buffer **out) {
  const VkMemoryPropertyFlags choices[] = {
      /* Shared memory (integrated GPUs, lavapipe, resizable BAR): no copy. */
      VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT |
          VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
          VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
      VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
  };
  return make_buffer(vk, bytes,
                     VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                         VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                         VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                     choices, 2, out);
}

static tfmrt_vk_status submit_and_wait(tfmrt_vk *vk, VkCommandBuffer commands) {
  VkSubmitInfo submit = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &commands,
  };
  VkResult result = vk->vkQueueSubmit(vk->queue, 1, &submit, vk->fence);
  if (result != VK_SUCCESS)
    return vk_fail("vkQueueSubmit", result);
  result = vk->vkWaitForFences(vk->device, 1, &vk->fence, VK_TRUE, UINT64_MAX);
  vk->vkResetFences(vk->device, 1, &vk->fence);
  if (result != VK_SUCCESS)
    return vk_fail("vkWaitForFences", result);
  return TFMRT_VK_OK;
}

/* Copies `bytes` between buffers on the device, now. */
static tfmrt_vk_status copy_now(tfmrt_vk *vk, VkBuffer from, uint64_t from_at,
                                VkBuffer to, uint64_t to_at, uint64_t bytes) {
  VkCommandBufferAllocateInfo alloc = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = vk->command_pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1,
  };
  VkCommandBuffer commands;
  VkResult result = vk->vkAllocateCommandBuffers(vk->device, &alloc, &commands);
  if (result != VK_SUCCESS)
    return vk_fail("vkAllocateCommandBuffers", result);
  VkCommandBufferBeginInfo begin = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
  };
  vk->vkBeginCommandBuffer(commands, &begin);
  VkBufferCopy region = {.srcOffset = from_at, .dstOffset = to_at,
                         .size = bytes};
  vk->vkCmdCopyBuffer(commands, from, to, 1, &region);
  vk->vkEndCommandBuffer(commands);
  tfmrt_vk_status status = submit_and_wait(vk, commands);
  vk->vkFreeCommandBuffers(vk->device, vk->command_pool, 1, &commands);
  return status;
}

static tfmrt_vk_status staging(tfmrt_vk *vk, uint64_t bytes,
                               tfmrt_vk_buffer **out) {
  const VkMemoryPropertyFlags choices[] = {
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
      VK_MEMORY_PROPERTY_HOST_COHERENT_BIT};
  return make_buffer(vk, bytes,
                     VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                         VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                     choices, 1, out);
}

static tfmrt_vk_status check_range(tfmrt_vk_buffer *buffer, uint64_t offset,
                                   uint64_t bytes) {
  if (offset > buffer->bytes || bytes > buffer->bytes - offset)
    return fail(TFMRT_VK_INVALID,
                "range [%llu, %llu) is outside a buffer of %llu bytes",
                (unsigned long long)offset,
                (unsigned long long)(offset + bytes),
                (unsigned long long)buffer->bytes);
  return TFMRT_VK_OK;
}

tfmrt_vk_status tfmrt_vk_buffer_write(tfmrt_vk *vk, tfmrt_vk_buffer *buffer,
                                      uint64_t offset, const void *data,
                                      uint64_t bytes) {
  tfmrt_vk_status status = check_range(buffer, offset, bytes);
  if (status != TFMRT_VK_OK || bytes == 0)
    return status;
  if (buffer->mapped) {
    memcpy((char *)buffer->mapped + offset, data, bytes);
    return TFMRT_VK_OK;
  }
  tfmrt_vk_buffer *stage;
  if ((status = staging(vk, bytes, &stage)) != TFMRT_VK_OK)
    return status;
  memcpy(stage->mapped, data, bytes);
  status = copy_now(vk, stage->buffer, 0, buffer->buffer, offset, bytes);
  release_buffer(vk, stage);
  return status;
}

tfmrt_vk_status tfmrt_vk_buffer_read(tfmrt_vk *vk, tfmrt_vk_buffer *buffer,
                                     uint64_t offset, void *data,
                                     uint64_t bytes) {
  tfmrt_vk_status status = check_range(buffer, offset, bytes);
  if (status != TFMRT_VK_OK || bytes == 0)
    return status;
  if (buffer->mapped) {
    memcpy(data, (const char *)buffer->mapped + offset, bytes);
    return TFMRT_VK_OK;
  }
  tfmrt_vk_buffer *stage;
  if ((status = staging(vk, bytes, &stage)) != TFMRT_VK_OK)
    return status;
  status = copy_now(vk, buffer->buffer, offset, stage->buffer, 0, bytes);
  if (status == TFMRT_VK_OK)
    memcpy(data, stage->mapped, bytes);
  release_buffer(vk, stage);
  return status;
}

/*===----------------------------------------------------------------------===*
 * Kernels
 *===----------------------------------------------------------------------===*/

/* SPIR-V: an instruction's first word is (word count << 16) | opcode. */
enum {
  SPV_OP_EXTENSION = 10,
  SPV_OP_EXECUTION_MODE = 16,
  SPV_OP_CAPABILITY = 17,
  SPV_MODE_LOCAL_SIZE = 17,
  SPV_MODE_SIGNED_ZERO_INF_NAN_PRESERVE = 4461,
  SPV_CAP_SIGNED_ZERO_INF_NAN_PRESERVE = 4466,
  SPV_HEADER_WORDS = 5,
};

static int is_float_controls_extension(const uint32_t *operands, size_t n) {
  static const char name[] = "SPV_KHR_float_controls";
  /* A literal string: nul-terminated, padded to whole words. */
  return n * 4 >= sizeof name && memcmp(operands, name, sizeof name) == 0;
}

size_t tfmrt_vk_strip_float_controls(uint32_t *spirv, size_t words,
                                     uint32_t keep) {
  if (words < SPV_HEADER_WORDS)
    return words;
  size_t out = SPV_HEADER_WORDS, kept_modes = 0;
  /* Pass 1: the execution modes; pass 2: the capability and extension
   * when no mode is left (they come first in a module, so they are known
   * only after the modes are). */
  for (int pass = 0; pass < 2; ++pass) {
    size_t at = SPV_HEADER_WORDS;
    out = SPV_HEADER_WORDS;
    while (at < words) {
      uint32_t count = spirv[at] >> 16, opcode = spirv[at] & 0xffffu;
      if (count == 0 || at + count > words)
        return words; /* malformed: leave it to the driver to refuse */
      const uint32_t *operands = &spirv[at + 1];
      int drop = 0;
      if (pass == 0 && opcode == SPV_OP_EXECUTION_MODE && count == 4 &&
          operands[1] == SPV_MODE_SIGNED_ZERO_INF_NAN_PRESERVE) {
        uint32_t bit = operands[2] == 16   ? TFMRT_VK_FLOAT16
                       : operands[2] == 32 ? TFMRT_VK_FLOAT32
                                           : 0;
        drop = !(keep & bit);
        kept_modes += !drop;
      }
      if (pass == 1 && kept_modes == 0)
        drop = (opcode == SPV_OP_CAPABILITY && count == 2 &&
                operands[0] == SPV_CAP_SIGNED_ZERO_INF_NAN_PRESERVE) ||
               (opcode == SPV_OP_EXTENSION &&
                is_float_controls_extension(operands, count - 1));
      if (!drop) {
        memmove(&spirv[out], &spirv[at], count * sizeof *spirv);
        out += count;
      }
      at += count;
    }
    words = out;
  }
  return words;
}

tfmrt_vk_status tfmrt_vk_kernel_create(tfmrt_vk *vk, const uint32_t *spirv,
                                       size_t words, const char *entry,
                                       uint32_t bindings, uint32_t push_bytes,
                                       tfmrt_vk_kernel **out) {
  *out = NULL;
  if (words == 0 || spirv[0] != 0x07230203u)
    return fail(TFMRT_VK_INVALID, "kernel '%s': not a SPIR-V module", entry);
  if (push_bytes > vk->properties.limits.maxPushConstantsSize ||
      push_bytes > sizeof(((dispatch *)0)->push) || push_bytes % 4)
    return fail(TFMRT_VK_UNSUPPORTED,
                "kernel '%s': %u bytes of push constants (the device allows "
                "%u, multiples of 4)",
                entry, push_bytes, vk->properties.limits.maxPushConstantsSize);
  if (bindings > vk->properties.limits.maxPerStageDescriptorStorageBuffers)
    return fail(TFMRT_VK_UNSUPPORTED,
                "kernel '%s' binds %u storage buffers; Vulkan device '%s' "
                "allows %u",
                entry, bindings, vk->info.name,
                vk->properties.limits.maxPerStageDescriptorStorageBuffers);
  /* The workgroup size the kernel declares (LocalSize), against the
   * device's limits: Vulkan only guarantees 128 invocations. */
  for (size_t at = SPV_HEADER_WORDS; at < words;) {
    uint32_t count = spirv[at] >> 16, opcode = spirv[at] & 0xffffu;
    if (count == 0 || at + count > words)
      break;
    if (opcode == SPV_OP_EXECUTION_MODE && count == 6 &&
        spirv[at + 2] == SPV_MODE_LOCAL_SIZE) {
      const VkPhysicalDeviceLimits *lim = &vk->properties.limits;
      uint32_t x = spirv[at + 3], y = spirv[at + 4], z = spirv[at + 5];
      if (x > lim->maxComputeWorkGroupSize[0] ||
          y > lim->maxComputeWorkGroupSize[1] ||
          z > lim->maxComputeWorkGroupSize[2] ||
          (uint64_t)x * y * z > lim->maxComputeWorkGroupInvocations)
        return fail(TFMRT_VK_UNSUPPORTED,
                    "kernel '%s' runs workgroups of %u x %u x %u "
                    "invocations; Vulkan device '%s' allows %u (at most "
                    "%u x %u x %u): compile with --vulkan-target=small",
                    entry, x, y, z, vk->info.name,
                    lim->maxComputeWorkGroupInvocations,
                    lim->maxComputeWorkGroupSize[0],
                    lim->maxComputeWorkGroupSize[1],
                    lim->maxComputeWorkGroupSize[2]);
    }
    at += count;
  }
  tfmrt_vk_kernel *k = calloc(1, sizeof *k);
  VkDescriptorSetLayoutBinding *layout_bindings =
      calloc(bindings ? bindings : 1, sizeof *layout_bindings);
  /* What the device runs: without the float controls it cannot honour. */
  uint32_t *code = malloc(words * sizeof *code);
  if (!k || !layout_bindings || !code) {
    free(k);
    free(layout_bindings);
    free(code);
    return fail(TFMRT_VK_ERROR, "out of memory");
  }
  memcpy(code, spirv, words * sizeof *code);
  words = tfmrt_vk_strip_float_controls(code, words,
                                        vk->preserves_float_specials);
  k->bindings = bindings;
  k->push_bytes = push_bytes;
  for (uint32_t i = 0; i < bindings; ++i)
    layout_bindings[i] = (VkDescriptorSetLayoutBinding){
        .binding = i,
        .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .descriptorCount = 1,
        .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
    };
  VkShaderModuleCreateInfo module = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = words * 4,
      .pCode = code,
  };
  VkDescriptorSetLayoutCreateInfo set = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = bindings,
      .pBindings = layout_bindings,
  };
  VkPushConstantRange push = {
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
      .size = push_bytes,
  };
  VkResult result;
  const char *step = "vkCreateShaderModule";
  if ((result = vk->vkCreateShaderModule(vk->device, &module, NULL,
                                         &k->module)) == VK_SUCCESS) {
    step = "vkCreateDescriptorSetLayout";
    result = vk->vkCreateDescriptorSetLayout(vk->device, &set, NULL,
                                             &k->set_layout);
  }
  if (result == VK_SUCCESS) {
    VkPipelineLayoutCreateInfo layout = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &k->set_layout,
        .pushConstantRangeCount = push_bytes ? 1 : 0,
        .pPushConstantRanges = &push,
    };
    step = "vkCreatePipelineLayout";
    result = vk->vkCreatePipelineLayout(vk->device, &layout, NULL, &k->layout);
  }
  if (result == VK_SUCCESS) {
    VkComputePipelineCreateInfo pipeline = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                  .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = k->module,
                  .pName = entry},
        .layout = k->layout,
    };
    step = "vkCreateComputePipelines";
    result = vk->vkCreateComputePipelines(vk->device, VK_NULL_HANDLE, 1,
                                          &pipeline, NULL, &k->pipeline);
  }
  free(layout_bindings);
  free(code);
  if (result != VK_SUCCESS) {
    if (k->layout)
      vk->vkDestroyPipelineLayout(vk->device, k->layout, NULL);
    if (k->set_layout)
      vk->vkDestroyDescriptorSetLayout(vk->device, k->set_layout, NULL);
    if (k->module)
      vk->vkDestroyShaderModule(vk->device, k->module, NULL);
    free(k);
    return fail(TFMRT_VK_ERROR, "kernel '%s': %s failed (VkResult %d)", entry,
                step, (int)result);
  }
  k->next = vk->kernels;
  vk->kernels = k;
  *out = k;
  return TFMRT_VK_OK;
}

/*===----------------------------------------------------------------------===*
 * Schedules
 *===----------------------------------------------------------------------===*/

tfmrt_vk_status tfmrt_vk_schedule_create(tfmrt_vk *vk,
                                         tfmrt_vk_schedule **out) {
  tfmrt_vk_schedule *s = calloc(1, sizeof *s);
  if (!s)
    return fail(TFMRT_VK_ERROR, "out of memory");
  s->vk = vk;
  s->next = vk->schedules;
  vk->schedules = s;
  *out = s;
  return TFMRT_VK_OK;
}

/* A zeroed step at the end of the schedule (null: out of memory). */
static dispatch *new_step(tfmrt_vk_schedule *s) {
  if (s->count == s->capacity) {
    uint32_t capacity = s->capacity ? 2 * s->capacity : 16;
    dispatch *grown = realloc(s->dispatches, capacity * sizeof *grown);
    if (!grown)
      return NULL;
    s->dispatches = grown;
    s->capacity = capacity;
  }
  dispatch *d = &s->dispatches[s->count];
  memset(d, 0, sizeof *d);
  return d;
}

tfmrt_vk_status tfmrt_vk_schedule_copy(tfmrt_vk_schedule *s,
                                       tfmrt_vk_binding from,
                                       tfmrt_vk_binding to) {
  if (s->recorded)
    return fail(TFMRT_VK_INVALID, "the schedule is already recorded");
  if (from.range != to.range)
    return fail(TFMRT_VK_INVALID, "copy of %llu bytes into %llu",
                (unsigned long long)from.range, (unsigned long long)to.range);
  tfmrt_vk_status status = check_range(from.buffer, from.offset, from.range);
  if (status == TFMRT_VK_OK)
    status = check_range(to.buffer, to.offset, to.range);
  if (status != TFMRT_VK_OK)
    return status;
  dispatch *d = new_step(s);
  if (!d)
    return fail(TFMRT_VK_ERROR, "out of memory");
  d->copy_from = from;
  d->copy_to = to;
  ++s->count;
  return TFMRT_VK_OK;
}

tfmrt_vk_status tfmrt_vk_schedule_dispatch(
    tfmrt_vk_schedule *s, tfmrt_vk_kernel *kernel,
    const tfmrt_vk_binding *bindings, uint32_t binding_count,
    const void *push, uint32_t push_bytes, uint32_t groups_x,
    uint32_t groups_y, uint32_t groups_z) {
  tfmrt_vk *vk = s->vk;
  if (s->recorded)
    return fail(TFMRT_VK_INVALID, "the schedule is already recorded");
  if (binding_count != kernel->bindings || push_bytes != kernel->push_bytes)
    return fail(TFMRT_VK_INVALID,
                "dispatch gives %u bindings and %u push-constant bytes; the "
                "kernel takes %u and %u",
                binding_count, push_bytes, kernel->bindings,
                kernel->push_bytes);
  const VkPhysicalDeviceLimits *limits = &vk->properties.limits;
  uint32_t groups[3] = {groups_x, groups_y, groups_z};
  for (int d = 0; d < 3; ++d)
    if (groups[d] > limits->maxComputeWorkGroupCount[d])
      return fail(TFMRT_VK_UNSUPPORTED,
                  "dispatch of %u workgroups along dimension %d; Vulkan "
                  "device '%s' allows %u",
                  groups[d], d, vk->info.name,
                  limits->maxComputeWorkGroupCount[d]);
  for (uint32_t i = 0; i < binding_count; ++i) {
    const tfmrt_vk_binding *b = &bindings[i];
    tfmrt_vk_status status = check_range(b->buffer, b->offset, b->range);
    if (status != TFMRT_VK_OK)
      return status;
    if (b->range > limits->maxStorageBufferRange)
      return fail(TFMRT_VK_UNSUPPORTED,
                  "binding %u spans %llu bytes; Vulkan device '%s' binds at "
                  "most %u bytes of a storage buffer (maxStorageBufferRange)",
                  i, (unsigned long long)b->range, vk->info.name,
                  limits->maxStorageBufferRange);
    if (b->offset % limits->minStorageBufferOffsetAlignment)
      return fail(TFMRT_VK_UNSUPPORTED,
                  "binding %u starts at offset %llu; Vulkan device '%s' needs "
                  "multiples of %llu",
                  i, (unsigned long long)b->offset, vk->info.name,
                  (unsigned long long)limits->minStorageBufferOffsetAlignment);
  }
  dispatch *d = new_step(s);
  if (!d)
    return fail(TFMRT_VK_ERROR, "out of memory");
  d->kernel = kernel;
  d->bindings = calloc(binding_count ? binding_count : 1, sizeof *bindings);
  if (!d->bindings)
    return fail(TFMRT_VK_ERROR, "out of memory");
  memcpy(d->bindings, bindings, binding_count * sizeof *bindings);
  if (push_bytes)
    memcpy(d->push, push, push_bytes);
  memcpy(d->groups, groups, sizeof groups);
  ++s->count;
  return TFMRT_VK_OK;
}

tfmrt_vk_status tfmrt_vk_schedule_end(tfmrt_vk_schedule *s) {
  tfmrt_vk *vk = s->vk;
  if (s->recorded)
    return fail(TFMRT_VK_INVALID, "the schedule is already recorded");
  uint32_t descriptors = 0;
  for (uint32_t i = 0; i < s->count; ++i)
    if (s->dispatches[i].kernel)
      descriptors += s->dispatches[i].kernel->bindings;
  VkDescriptorPoolSize size = {
      .type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      .descriptorCount = descriptors ? descriptors : 1,
  };
  VkDescriptorPoolCreateInfo pool = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = s->count ? s->count : 1,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
  };
  VkResult result = vk->vkCreateDescriptorPool(vk->device, &pool, NULL,
                                               &s->pool);
  if (result != VK_SUCCESS)
    return vk_fail("vkCreateDescriptorPool", result);
  /* Query 0 before the first step; the last one after the last step;
   * when profiling, query i + 1 after step i too. */
  s->queries = vk->profile ? s->count + 1 : 2;
  if (vk->has_timestamps) {
    VkQueryPoolCreateInfo queries = {
        .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
        .queryType = VK_QUERY_TYPE_TIMESTAMP,
        .queryCount = s->queries,
    };
    if ((result = vk->vkCreateQueryPool(vk->device, &queries, NULL,
                                        &s->timestamps)) != VK_SUCCESS)
      return vk_fail("vkCreateQueryPool", result);
  }
  VkCommandBufferAllocateInfo alloc = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = vk->command_pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1,
  };
  if ((result = vk->vkAllocateCommandBuffers(vk->device, &alloc,
                                             &s->commands)) != VK_SUCCESS)
    return vk_fail("vkAllocateCommandBuffers", result);
  VkCommandBufferBeginInfo begin = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  vk->vkBeginCommandBuffer(s->commands, &begin);
  if (s->timestamps) {
    vk->vkCmdResetQueryPool(s->commands, s->timestamps, 0, s->queries);
    vk->vkCmdWriteTimestamp(s->commands, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                            s->timestamps, 0);
  }
  /* Host writes before the run are visible to the first dispatch. */
  VkMemoryBarrier host_to_shader = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_HOST_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                       VK_ACCESS_TRANSFER_READ_BIT |
                       VK_ACCESS_TRANSFER_WRITE_BIT,
  };
  vk->vkCmdPipelineBarrier(
      s->commands, VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
      1, &host_to_shader, 0, NULL, 0, NULL);
  /* Each step sees the writes of the ones before it. */
  VkMemoryBarrier step_to_step = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                       VK_ACCESS_TRANSFER_READ_BIT |
                       VK_ACCESS_TRANSFER_WRITE_BIT,
  };
  const VkPipelineStageFlags steps =
      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  for (uint32_t i = 0; i < s->count; ++i) {
    dispatch *d = &s->dispatches[i];
    if (i > 0)
      vk->vkCmdPipelineBarrier(s->commands, steps, steps, 0, 1, &step_to_step,
                               0, NULL, 0, NULL);
    if (!d->kernel) {
      VkBufferCopy region = {.srcOffset = d->copy_from.offset,
                             .dstOffset = d->copy_to.offset,
                             .size = d->copy_from.range};
      if (region.size)
        vk->vkCmdCopyBuffer(s->commands, d->copy_from.buffer->buffer,
                            d->copy_to.buffer->buffer, 1, &region);
      if (s->timestamps && vk->profile && i + 1 < s->count)
        vk->vkCmdWriteTimestamp(s->commands,
                                VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                                s->timestamps, i + 1);
      continue;
    }
    VkDescriptorSetAllocateInfo set_alloc = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
        .descriptorPool = s->pool,
        .descriptorSetCount = 1,
        .pSetLayouts = &d->kernel->set_layout,
    };
    VkDescriptorSet set;
    if ((result = vk->vkAllocateDescriptorSets(vk->device, &set_alloc,
                                               &set)) != VK_SUCCESS)
      return vk_fail("vkAllocateDescriptorSets", result);
    uint32_t n = d->kernel->bindings;
    VkDescriptorBufferInfo *infos = calloc(n ? n : 1, sizeof *infos);
    VkWriteDescriptorSet *writes = calloc(n ? n : 1, sizeof *writes);
    if (!infos || !writes) {
      free(infos);
      free(writes);
      return fail(TFMRT_VK_ERROR, "out of memory");
    }
    for (uint32_t b = 0; b < n; ++b) {
      infos[b] = (VkDescriptorBufferInfo){
          .buffer = d->bindings[b].buffer->buffer,
          .offset = d->bindings[b].offset,
          .range = d->bindings[b].range,
      };
      writes[b] = (VkWriteDescriptorSet){
          .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
          .dstSet = set,
          .dstBinding = b,
          .descriptorCount = 1,
          .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
          .pBufferInfo = &infos[b],
      };
    }
    vk->vkUpdateDescriptorSets(vk->device, n, writes, 0, NULL);
    free(infos);
    free(writes);
    vk->vkCmdBindPipeline(s->commands, VK_PIPELINE_BIND_POINT_COMPUTE,
                          d->kernel->pipeline);
    vk->vkCmdBindDescriptorSets(s->commands, VK_PIPELINE_BIND_POINT_COMPUTE,
                                d->kernel->layout, 0, 1, &set, 0, NULL);
    if (d->kernel->push_bytes)
      vk->vkCmdPushConstants(s->commands, d->kernel->layout,
                             VK_SHADER_STAGE_COMPUTE_BIT, 0,
                             d->kernel->push_bytes, d->push);
    vk->vkCmdDispatch(s->commands, d->groups[0], d->groups[1], d->groups[2]);
    if (s->timestamps && vk->profile && i + 1 < s->count)
      vk->vkCmdWriteTimestamp(s->commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                              s->timestamps, i + 1);
  }
  /* The host reads the results after the fence. */
  VkMemoryBarrier shader_to_host = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT,
  };
  vk->vkCmdPipelineBarrier(
      s->commands, steps,
      VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
      &shader_to_host, 0, NULL, 0, NULL);
  if (s->timestamps)
    vk->vkCmdWriteTimestamp(s->commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                            s->timestamps, s->queries - 1);
  if ((result = vk->vkEndCommandBuffer(s->commands)) != VK_SUCCESS)
    return vk_fail("vkEndCommandBuffer", result);
  s->recorded = 1;
  return TFMRT_VK_OK;
}

tfmrt_vk_status tfmrt_vk_schedule_run(tfmrt_vk_schedule *s,
                                      double *device_ms) {
  tfmrt_vk *vk = s->vk;
  if (!s->recorded)
    return fail(TFMRT_VK_INVALID, "the schedule is not recorded yet "
                                  "(tfmrt_vk_schedule_end)");
  tfmrt_vk_status status = submit_and_wait(vk, s->commands);
  if (status != TFMRT_VK_OK)
    return status;
  s->have_ticks = 0;
  if (s->timestamps) {
    free(s->ticks);
    s->ticks = calloc(s->queries, sizeof *s->ticks);
    s->have_ticks =
        s->ticks &&
        vk->vkGetQueryPoolResults(vk->device, s->timestamps, 0, s->queries,
                                  s->queries * sizeof *s->ticks, s->ticks,
                                  sizeof *s->ticks,
                                  VK_QUERY_RESULT_64_BIT |
                                      VK_QUERY_RESULT_WAIT_BIT) == VK_SUCCESS;
  }
  if (device_ms)
    *device_ms = s->have_ticks ? (double)(s->ticks[s->queries - 1] -
                                          s->ticks[0]) *
                                     vk->properties.limits.timestampPeriod *
                                     1e-6
                               : -1;
  return TFMRT_VK_OK;
}

uint32_t tfmrt_vk_schedule_step_ms(tfmrt_vk_schedule *s, double *ms,
                                   uint32_t count) {
  double period = s->vk->properties.limits.timestampPeriod * 1e-6;
  for (uint32_t i = 0; i < s->count && i < count; ++i)
    ms[i] = s->have_ticks && s->vk->profile
                ? (double)(s->ticks[i + 1] - s->ticks[i]) * period
                : -1;
  return s->count;
}
