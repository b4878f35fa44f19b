// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The valid codes of the market's small enumerations, in one place for every contract
/// @notice Hardware classes, regions and generation sources travel as uint8 codes; any other value
/// is refused where it enters the chain (order posting, device registration), so nothing downstream
/// ever meets a code it does not know. `protocol/units.ts` (HARDWARE_CLASSES, REGIONS,
/// ENERGY_SOURCES) lists the same sets, and test/contracts/protocol/codes.test.ts checks that they agree.
library MarketCodes {
    /// @notice Hardware classes are 0 .. HARDWARE_CLASS_COUNT − 1 (`HARDWARE_CLASSES`).
    uint8 internal constant HARDWARE_CLASS_COUNT = 4;
    /// @notice Regions are 1 .. MAX_REGION (`REGIONS`); 0 is no region.
    uint8 internal constant MAX_REGION = 6;
    /// @notice Bits 1 .. MAX_REGION: every region a bid's acceptableRegions may name.
    uint32 internal constant REGION_MASK = uint32(((1 << (uint256(MAX_REGION) + 1)) - 1) & ~uint256(1));

    function isHardwareClass(uint256 code) internal pure returns (bool) {
        return code < HARDWARE_CLASS_COUNT;
    }

    function isRegion(uint256 code) internal pure returns (bool) {
        return code != 0 && code <= MAX_REGION;
    }
}
