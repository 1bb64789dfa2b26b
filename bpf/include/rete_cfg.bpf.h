/* The chain's load-time settings (struct rete_chain_cfg), shared by every collector. */
#ifndef RETE_BPF_CFG_H
#define RETE_BPF_CFG_H

#include "vmlinux.h"

#include "uapi/rete_config.h"

/* Assigned through the skeleton before load; all off until then. */
const volatile struct rete_chain_cfg rete_cfg = {};

#endif
