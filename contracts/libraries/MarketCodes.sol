// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The valid codes of the market's small enumerations, in one place for every contract
/// @notice Hardware classes, regions, grid areas and generation sources travel as uint8 codes; any
/// other value is refused where it enters the chain (order posting, device registration), so nothing
/// downstream ever meets a code it does not know. `protocol/units.ts` (HARDWARE_CLASSES, REGIONS,
/// GRID_AREAS, ENERGY_SOURCES) lists the same sets, and test/contracts/protocol/codes.test.ts checks
/// that they agree.
library MarketCodes {
    /// @notice Hardware classes are 0 .. HARDWARE_CLASS_COUNT − 1 (`HARDWARE_CLASSES`).
    uint8 internal constant HARDWARE_CLASS_COUNT = 4;
    /// @notice Regions are 1 .. MAX_REGION (`REGIONS`, China's national compute hubs); 0 is no region.
    uint8 internal constant MAX_REGION = 8;
    /// @notice Grid areas are 1 .. MAX_GRID_AREA (`GRID_AREAS`, China's regional grids).
    uint8 internal constant MAX_GRID_AREA = 5;
    /// @notice Bits 1 .. MAX_REGION: every region a bid's acceptableRegions may name.
    uint32 internal constant REGION_MASK = uint32(((1 << (uint256(MAX_REGION) + 1)) - 1) & ~uint256(1));
    /// @dev Byte r (from the low end) is the grid area of region r: 1 north, 2 east, 3 south,
    /// 4 southwest, 5 northwest. Regions 1..8: north, east, south, southwest, north (Mengxi is
    /// dispatched with North China), south, northwest, northwest.
    uint256 private constant _GRID_AREA_OF_REGION = 0x0505030104030201_00;

    function isHardwareClass(uint256 code) internal pure returns (bool) {
        return code < HARDWARE_CLASS_COUNT;
    }

    function isRegion(uint256 code) internal pure returns (bool) {
        return code != 0 && code <= MAX_REGION;
    }

    /// @notice The grid area a region sits in (0 for a code that is not a region).
    function gridAreaOf(uint256 region) internal pure returns (uint8) {
        if (!isRegion(region)) return 0;
        return uint8(_GRID_AREA_OF_REGION >> (region * 8));
    }
}
