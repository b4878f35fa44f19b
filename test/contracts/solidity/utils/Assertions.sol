// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Minimal assertions whose failure message carries both values, so a fuzz counterexample
/// explains itself without re-running it under a debugger.
abstract contract Assertions {
    error AssertionFailed(string what, uint256 left, uint256 right);
    error AssertionFailedAddress(string what, address left, address right);
    error AssertionFailedBool(string what);

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, left, right);
    }

    function assertEq(address left, address right, string memory what) internal pure {
        if (left != right) revert AssertionFailedAddress(what, left, right);
    }

    function assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailed(what, left, right);
    }

    function assertGe(uint256 left, uint256 right, string memory what) internal pure {
        if (left < right) revert AssertionFailed(what, left, right);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailedBool(what);
    }
}

/// @notice `value` folded into [min, max] without rejecting fuzz inputs (rejections waste runs).
function bound(uint256 value, uint256 min, uint256 max) pure returns (uint256) {
    if (max <= min) return min;
    uint256 size = max - min + 1;
    return min + (value % size);
}
