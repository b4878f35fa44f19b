// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ILocalSettlementToken} from "./interfaces/ILocalSettlementToken.sol";

/// @title Settlement token of local deployments (6 decimals, EIP-2612 permit, faucet)
/// @dev Never deploy it where the token should have value: anyone can mint through the faucet.
contract LocalSettlementToken is ERC20Permit, ILocalSettlementToken {
    /// @inheritdoc ILocalSettlementToken
    uint256 public constant FAUCET_LIMIT = 1_000_000 * 10 ** 6;

    constructor() ERC20("CCEX Local USD", "cUSD") ERC20Permit("CCEX Local USD") {}

    /// @inheritdoc ILocalSettlementToken
    function faucet(address to, uint256 amount) external {
        if (amount > FAUCET_LIMIT) revert SettlementTokenFaucetLimit(amount, FAUCET_LIMIT);
        _mint(to, amount);
    }

    /// @notice Six decimals, like the stablecoins the market settles in elsewhere.
    function decimals() public pure override(ERC20, IERC20Metadata) returns (uint8) {
        return 6;
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }
}
