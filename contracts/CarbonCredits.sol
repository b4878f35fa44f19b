// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ICarbonCredits} from "./interfaces/ICarbonCredits.sol";

/// @title Carbon credits (碳积分): 1 token = 1 kgCO2e, one base unit = 1 gCO2e
contract CarbonCredits is ERC20, AccessControl, ICarbonCredits {
    /// @inheritdoc ICarbonCredits
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");

    /// @param admin receives DEFAULT_ADMIN_ROLE, which grants MARKET_ROLE to the market
    constructor(address admin) ERC20("CCEX Carbon Credit", "CCC") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ICarbonCredits
    function mint(address to, uint256 amount, uint256 dealId) external onlyRole(MARKET_ROLE) {
        if (amount == 0) revert CreditsZeroAmount();
        _mint(to, amount);
        emit CreditsMinted(dealId, to, amount);
    }

    /// @inheritdoc ICarbonCredits
    function retire(uint256 amount, address beneficiary, string calldata reason) external {
        if (amount == 0) revert CreditsZeroAmount();
        if (beneficiary == address(0)) revert CreditsInvalidBeneficiary(beneficiary);
        _burn(msg.sender, amount);
        emit CreditsRetired(msg.sender, beneficiary, amount, reason);
    }

    /// @notice Three decimals: one base unit is one gram of CO2e.
    function decimals() public pure override(ERC20, IERC20Metadata) returns (uint8) {
        return 3;
    }
}
