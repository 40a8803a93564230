/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 as UEFI uses it for the GPT header and partition entry array
 * (UEFI spec 2.9, section 5.3.2, which names the IEEE 802.3 / ISO 3309
 * polynomial 0x04C11DB7, reflected 0xEDB88320, initial value and final
 * XOR 0xFFFFFFFF). crc32_update(0, buf, n) is the CRC of buf; feeding a
 * buffer in pieces gives the same result (crc = crc32_update(crc, ...)).
 */
#ifndef KEEL_DRIVERS_CRC32_H
#define KEEL_DRIVERS_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);

#endif
