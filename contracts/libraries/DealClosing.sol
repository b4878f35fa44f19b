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
        bytes25 digest = DealMath.reportDigest(termsDigest, usage);
        // A report laid out otherwise than abi.encode lays it out hashes to 0, which no later action
        // could match: the deal would be stuck as Reported with its escrow locked.
        if (digest == bytes25(0)) revert IMarket.MarketReportNotCanonical(dealId);
        book.deals[dealId] = IMarket.Deal({
            status: IMarket.DealStatus.Reported,
            flagged: flagged,
            since: uint40(block.timestamp),
            digest: digest
        });
        _emitUsageReported(dealId, usage, block.timestamp + terms.challengePeriod);
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

    /// @notice Pays out, refunds, retires the time-matched certificate Wh from their suppliers (one call
    /// to the registry, which retires what each can deliver and says how much) and mints credits: the
    /// end of every reported deal.
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
        IMarket.DealOutcome memory outcome;
        uint256[] memory retirable = DealMath.retirablePerHour(terms, usage, acceptedBps, outcome);
        book.deals[dealId] = IMarket.Deal({
            status: IMarket.DealStatus.Finalized,
            flagged: book.deals[dealId].flagged,
            since: uint40(block.timestamp),
            digest: digest
        });
        uint256[] memory retiredWh = _retire(certificates, dealId, terms, retirable);
        DealMath.payOut(terms, retirable, retiredWh, outcome);
        _credit(book, terms.computeSupplier, outcome.computePaid);
        _credit(book, terms.bandwidthSupplier, outcome.bandwidthPaid);
        book.accruedFees += outcome.fee;
        _credit(book, terms.buyer, outcome.refund);
        _creditLots(book, terms.energyLots, outcome.energyLots);
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

    /// @dev Retires the lots' Wh their suppliers can deliver, hour by hour up to `retirable`, in one call
    /// to the registry (none when no hour has anything to retire).
    /// @return retiredWh what each lot retired (aligned with the lots)
    function _retire(
        IGreenCertificates certificates,
        uint256 dealId,
        IMarket.DealTerms calldata terms,
        uint256[] memory retirable
    ) private returns (uint256[] memory retiredWh) {
        IMarket.DealEnergyLot[] calldata dealLots = terms.energyLots;
        uint256 lotCount = dealLots.length;
        bool anyRetirable = false;
        for (uint256 h = 0; h < retirable.length && !anyRetirable; ++h) anyRetirable = retirable[h] != 0;
        if (!anyRetirable) return new uint256[](lotCount);
        IGreenCertificates.DealLot[] memory lots = new IGreenCertificates.DealLot[](lotCount);
        uint256 start = terms.start;
        for (uint256 i = 0; i < lotCount; ++i) {
            IMarket.DealEnergyLot calldata lot = dealLots[i];
            lots[i] = IGreenCertificates.DealLot({
                holder: lot.supplier,
                certificateId: DealMath.certificateIdOf(lot),
                wh: lot.wh,
                jobHour: (lot.hour - start) / Hours.SECONDS_PER_HOUR
            });
        }
        return certificates.retireForDeal(dealId, terms.buyer, lots, retirable);
    }

    /// @dev Emits {IMarket-UsageReported} from the report's calldata bytes as they are: its data,
    /// abi.encode(report, challengeEnd), is the report's head offset (0x40), challengeEnd, then the
    /// report's own encoding, which {DealMath-reportDigest} found laid out as abi.encode lays it out
    /// (the caller refused a digest of 0), each of whose entries the checks before have read.
    function _emitUsageReported(uint256 dealId, IMarket.UsageReport calldata usage, uint256 challengeEnd) private {
        // The report's head (two offsets, the root) and its two length words, then one word per entry.
        uint256 size = (5 + usage.vcuPerHour.length + usage.whPerHour.length) * 32;
        bytes32 topic = IMarket.UsageReported.selector;
        // Writes the event's data at free memory without moving the free pointer (scratch use only).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0x40)
            mstore(add(ptr, 0x20), challengeEnd)
            calldatacopy(add(ptr, 0x40), usage, size)
            log3(ptr, add(size, 0x40), topic, dealId, caller())
        }
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
        uint32[] calldata vcuPerHour = usage.vcuPerHour;
        uint256 vcu = terms.vcu;
        for (uint256 h = 0; h < vcuPerHour.length; ++h) {
            if (vcuPerHour[h] > vcu) {
                revert IMarket.MarketDeliveryExceedsDeal(dealId, h, vcuPerHour[h], vcu);
            }
        }
    }

    function _creditLots(
        Book storage book,
        IMarket.DealEnergyLot[] calldata lots,
        IMarket.LotOutcome[] memory lotOutcomes
    ) private {
        for (uint256 i = 0; i < lots.length; ++i) _credit(book, lots[i].supplier, lotOutcomes[i].paid);
    }

    function _credit(Book storage book, address account, uint256 amount) private {
        if (amount != 0) book.withdrawable[account] += amount;
    }
}
