// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title Test only: an ERC-20 that burns 1 % of every transfer, like a fee-on-transfer token
/// @notice The market must refuse it as a settlement token (it would owe more escrow than it holds),
/// by either way a bid pays its escrow: approve then `postBid`, or an EIP-2612 permit with `postBidWithPermit`.
contract FeeOnTransferToken is ERC20, ERC20Permit {
    uint256 private constant _FEE_BPS = 100;
    uint256 private constant _BPS = 10_000;

    constructor() ERC20("Fee On Transfer", "FOT") ERC20Permit("Fee On Transfer") {}

    /// @notice Anyone mints: it is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @dev Transfers between holders lose the fee on the way; mints and burns do not.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = (value * _FEE_BPS) / _BPS;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
