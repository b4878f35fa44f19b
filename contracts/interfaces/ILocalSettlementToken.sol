// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title Settlement token of local deployments
/// @notice A stablecoin-like ERC-20 (6 decimals, EIP-2612 permit) with a faucet so that demo accounts
/// can fund bids. It is deployed only on local chains; elsewhere the market takes an existing ERC-20.
interface ILocalSettlementToken is IERC20Metadata, IERC20Permit {
    /// @notice One faucet call may mint at most `limit` base units.
    error SettlementTokenFaucetLimit(uint256 requested, uint256 limit);

    /// @notice Largest amount one faucet call mints, in base units.
    function FAUCET_LIMIT() external view returns (uint256);

    /// @notice Mints `amount` base units to `to`; anyone may call it (local chains only).
    /// @dev Requirements: amount ≤ FAUCET_LIMIT. Emits {Transfer} from the zero address.
    function faucet(address to, uint256 amount) external;
}
