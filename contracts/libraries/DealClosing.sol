// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICarbonCredits} from "../interfaces/ICarbonCredits.sol";
import {IGreenCertificates} from "../interfaces/IGreenCertificates.sol";
import {IMarket} from "../interfaces/IMarket.sol";
import {DealMath} from "./DealMath.sol";
import {Hours} from "./Hours.sol";
import {Book} from "./MarketStorage.sol";

/// @title The usage report and the close of a deal
/// @notice The bodies of `Market.reportUsage` and of every way a reported deal finalises (confirm,
/// finalise, resolve, lapse): an external library, like BatchSettlement, so that the market stays
/// under the contract size limit. It runs by DELEGATECALL in the market's storage and its events are
/// the market's. The caller has checked the deal's status and digest.
library DealClosing {
    /// @notice See {IMarket-reportUsage}; the caller checked that the deal is Active with these terms.
    function report(
        Book storage book,
        uint256 dealId,
        bytes25 termsDigest,
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata usage
    ) internal {
        _checkReport(dealId, terms, usage);
        (
            bool outsideProfile,
            bool belowGreenMinimum,
            uint256 expectedWh,
            uint256 whConsumed,
            uint256 matchedGreenWh
        ) = DealMath.reportFlags(terms, usage);
        bool flagged = outsideProfile || belowGreenMinimum;
        book.deals[dealId] = IMarket.Deal({
            status: IMarket.DealStatus.Reported,
            flagged: flagged,
            since: uint40(block.timestamp),
            digest: DealMath.reportDigest(termsDigest, usage)
        });
        emit IMarket.UsageReported(dealId, msg.sender, usage, block.timestamp + terms.challengePeriod);
        if (flagged) {
            emit IMarket.UsageFlagged(
                dealId,
                outsideProfile,
                belowGreenMinimum,
                expectedWh,
                whConsumed,
                matchedGreenWh
            );
        }
    }

    /// @notice Pays out, refunds, retires the time-matched certificate Wh from their suppliers and
    /// mints credits: the end of every reported deal.
    /// @param dealCall the market's own calldata: a call of (dealId, terms, report, …) whose terms and
    /// report the market has just checked against the deal's digest. They are passed as the bytes of
    /// that call (one copy) rather than as structs, which the call to this library would re-encode
    /// field by field.
    function close(
        Book storage book,
        IGreenCertificates certificates,
        ICarbonCredits credits,
        uint256 dealId,
        bytes25 digest,
        uint16 acceptedBps,
        bytes calldata dealCall
    ) external {
        (IMarket.DealTerms calldata terms, IMarket.UsageReport calldata usage) = _dealArguments(dealCall);
        (IMarket.DealOutcome memory outcome, address[] memory holders, uint256[] memory certificateIds) = _outcome(
            certificates,
            terms,
            usage,
            acceptedBps
        );
        book.deals[dealId] = IMarket.Deal({
            status: IMarket.DealStatus.Finalized,
            flagged: book.deals[dealId].flagged,
            since: uint40(block.timestamp),
            digest: digest
        });
        _credit(book, terms.computeSupplier, outcome.computePaid);
        _credit(book, terms.bandwidthSupplier, outcome.bandwidthPaid);
        book.accruedFees += outcome.fee;
        _credit(book, terms.buyer, outcome.refund);
        for (uint256 i = 0; i < holders.length; ++i) _credit(book, holders[i], outcome.energyLots[i].paid);
        _retire(certificates, dealId, terms.buyer, holders, certificateIds, outcome.energyLots);
        if (outcome.credits != 0) credits.mint(terms.buyer, outcome.credits, dealId);
        emit IMarket.DealFinalized(dealId, terms.buyer, outcome);
    }

    /// @dev The terms and report of a market call (dealId, terms, report, …) held in `dealCall`.
    function _dealArguments(
        bytes calldata dealCall
    ) private pure returns (IMarket.DealTerms calldata terms, IMarket.UsageReport calldata usage) {
        // Points into `dealCall`'s bytes, which lie in this call's calldata: the head of the market
        // call (after its selector) holds the offsets of its 2nd and 3rd arguments, and Solidity's
        // calldata accessors bounds-check every read below against calldatasize.
        assembly ("memory-safe") {
            let args := add(dealCall.offset, 4)
            terms := add(args, calldataload(add(args, 0x20)))
            usage := add(args, calldataload(add(args, 0x40)))
        }
    }

    /// @dev The deal's outcome, with each lot's supplier and certificate id (aligned with the lots).
    function _outcome(
        IGreenCertificates certificates,
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata usage,
        uint16 acceptedBps
    )
        private
        view
        returns (IMarket.DealOutcome memory outcome, address[] memory holders, uint256[] memory certificateIds)
    {
        uint256 lotCount = terms.energyLots.length;
        holders = new address[](lotCount);
        certificateIds = new uint256[](lotCount);
        for (uint256 i = 0; i < lotCount; ++i) {
            holders[i] = terms.energyLots[i].supplier;
            certificateIds[i] = DealMath.certificateIdOf(terms.energyLots[i]);
        }
        // Forward delivery: what each supplier holds (and lets the market retire) now caps its lot.
        uint256[] memory deliverable =
            lotCount == 0 ? new uint256[](0) : certificates.deliverableOf(holders, certificateIds);
        outcome = DealMath.outcome(terms, usage, acceptedBps, deliverable);
    }

    /// @dev Retires every lot's retired Wh from its supplier for the buyer, in one call to the registry.
    function _retire(
        IGreenCertificates certificates,
        uint256 dealId,
        address buyer,
        address[] memory holders,
        uint256[] memory certificateIds,
        IMarket.LotOutcome[] memory lots
    ) private {
        uint256[] memory retiredWh = new uint256[](lots.length);
        uint256 retiredLots = 0;
        for (uint256 i = 0; i < lots.length; ++i) {
            if (lots[i].retiredWh == 0) continue;
            // retiredLots ≤ i: entries move only towards the front, over ones already read.
            holders[retiredLots] = holders[i];
            certificateIds[retiredLots] = certificateIds[i];
            retiredWh[retiredLots] = lots[i].retiredWh;
            ++retiredLots;
        }
        if (retiredLots == 0) return;
        // Shrink the arrays to the lots that retired anything; memory only ever gets shorter here.
        assembly ("memory-safe") {
            mstore(holders, retiredLots)
            mstore(certificateIds, retiredLots)
            mstore(retiredWh, retiredLots)
        }
        certificates.retireForDeal(dealId, buyer, holders, certificateIds, retiredWh);
    }

    /// @dev The reporter, the time and the report's shape: see {IMarket-reportUsage}.
    function _checkReport(
        uint256 dealId,
        IMarket.DealTerms calldata terms,
        IMarket.UsageReport calldata usage
    ) internal view {
        if (msg.sender != terms.computeSupplier) {
            revert IMarket.MarketNotDealParty(dealId, msg.sender, terms.computeSupplier);
        }
        uint256 jobEnd = uint256(terms.start) + uint256(terms.durationHours) * Hours.SECONDS_PER_HOUR;
        if (block.timestamp < jobEnd) revert IMarket.MarketJobNotEnded(dealId, jobEnd);
        if (block.timestamp >= terms.reportDeadline) {
            revert IMarket.MarketReportDeadlinePassed(dealId, terms.reportDeadline);
        }
        if (usage.vcuPerHour.length != terms.durationHours || usage.whPerHour.length != terms.durationHours) {
            revert IMarket.MarketReportLengthMismatch(
                dealId,
                usage.vcuPerHour.length,
                usage.whPerHour.length,
                terms.durationHours
            );
        }
        for (uint256 h = 0; h < terms.durationHours; ++h) {
            if (usage.vcuPerHour[h] > terms.vcu) {
                revert IMarket.MarketDeliveryExceedsDeal(dealId, h, usage.vcuPerHour[h], terms.vcu);
            }
        }
    }

    function _credit(Book storage book, address account, uint256 amount) private {
        if (amount != 0) book.withdrawable[account] += amount;
    }
}
