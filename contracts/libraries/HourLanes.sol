// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Hourly quantities packed into storage lanes
/// @notice An hour's VCU or Mbps is a uint32 lane (8 per slot), an hour's Wh a uint64 lane (4 per
/// slot), so that a job of a few consecutive hours reads and writes one or two slots instead of one
/// per hour. Callers check every quantity against its limit before adding, so no lane overflows.
library HourLanes {
    uint256 private constant _MASK32 = type(uint32).max;
    uint256 private constant _MASK64 = type(uint64).max;

    function get32(mapping(uint256 => uint256) storage slots, uint256 index) internal view returns (uint256) {
        return (slots[index >> 3] >> ((index & 7) * 32)) & _MASK32;
    }

    /// @dev Adds `amount` to lane `index`; the caller checked that the sum stays ≤ a uint32 capacity.
    function add32(mapping(uint256 => uint256) storage slots, uint256 index, uint256 amount) internal {
        // The lane's sum stays within 32 bits (checked against a uint32 capacity), so no carry spills over.
        unchecked {
            slots[index >> 3] += amount << ((index & 7) * 32);
        }
    }

    function get64(mapping(uint256 => uint256) storage slots, uint256 index) internal view returns (uint256) {
        return (slots[index >> 2] >> ((index & 3) * 64)) & _MASK64;
    }

    /// @dev Adds `amount` to lane `index`; the caller checked that the sum stays within 64 bits.
    function add64(mapping(uint256 => uint256) storage slots, uint256 index, uint256 amount) internal {
        // The lane's sum stays within 64 bits (checked by the caller), so no carry spills over.
        unchecked {
            slots[index >> 2] += amount << ((index & 3) * 64);
        }
    }

    /// @dev Subtracts `amount` from lane `index`; the caller checked that the lane holds at least `amount`.
    function sub64(mapping(uint256 => uint256) storage slots, uint256 index, uint256 amount) internal {
        // The lane holds at least `amount` (checked by the caller), so no borrow crosses lanes.
        unchecked {
            slots[index >> 2] -= amount << ((index & 3) * 64);
        }
    }
}
