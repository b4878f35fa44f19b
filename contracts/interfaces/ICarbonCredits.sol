// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title Carbon credits (碳积分) for emissions avoided by green power
/// @notice ERC-20 with 3 decimals: 1 token = 1 kgCO2e, so one base unit = 1 gCO2e. Credits are minted
/// only by the market when a deal finalises (green Wh × (grid factor − source factor)); any holder
/// retires them for a beneficiary, which burns them.
interface ICarbonCredits is IERC20Metadata {
    /// @notice Minting and retirement need a non-zero amount.
    error CreditsZeroAmount();
    /// @notice A retirement needs a beneficiary.
    error CreditsInvalidBeneficiary(address beneficiary);

    /// @notice Credits for the avoided emissions of deal `dealId` were minted to `to` (the deal's buyer).
    event CreditsMinted(uint256 indexed dealId, address indexed to, uint256 amount);
    /// @notice `holder` retired (burned) `amount` gCO2e of credits on behalf of `beneficiary`.
    event CreditsRetired(address indexed holder, address indexed beneficiary, uint256 amount, string reason);

    /// @notice Role of the market contract, the only minter.
    function MARKET_ROLE() external view returns (bytes32);

    /// @notice Mints `amount` gCO2e of credits to `to` for deal `dealId`.
    /// @dev Requirements: caller has MARKET_ROLE; amount > 0. Emits {CreditsMinted} and {Transfer}.
    function mint(address to, uint256 amount, uint256 dealId) external;

    /// @notice Retires (burns) `amount` of the caller's credits on behalf of `beneficiary`.
    /// @dev Requirements: amount > 0; beneficiary ≠ 0; caller's balance ≥ amount.
    /// Emits {CreditsRetired} and {Transfer} to the zero address.
    function retire(uint256 amount, address beneficiary, string calldata reason) external;
}
