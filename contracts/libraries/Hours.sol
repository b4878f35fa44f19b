// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Whole UTC hours: the market's one unit of time inside a window
/// @notice A time is on the hour when `t % 3600 == 0`; its hour index is `t / 3600`. Windows are
/// `[start, end)` on the hour. `protocol/hours.ts` holds the same definitions and limits, and
/// test/contracts/protocol/codes.test.ts keeps both in step (docs/market-rules.md, "Hours").
library Hours {
    uint256 internal constant SECONDS_PER_HOUR = 3600;
    /// @notice Longest window of an offer or a bid: 31 days.
    uint256 internal constant MAX_WINDOW_HOURS = 744;
    /// @notice Longest job a bid may ask for: one week.
    uint256 internal constant MAX_JOB_HOURS = 168;
    /// @notice Most hours one energy offer (or one issuance) may name: one week.
    uint256 internal constant MAX_OFFER_HOURS = 168;

    function isOnHour(uint256 t) internal pure returns (bool) {
        return t % SECONDS_PER_HOUR == 0;
    }

    function indexOf(uint256 t) internal pure returns (uint256) {
        return t / SECONDS_PER_HOUR;
    }
}
