// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICarbonCredits} from "./interfaces/ICarbonCredits.sol";
import {IGreenCertificates} from "./interfaces/IGreenCertificates.sol";
import {IMarket} from "./interfaces/IMarket.sol";
import {BatchSettlement} from "./libraries/BatchSettlement.sol";
import {DealClosing} from "./libraries/DealClosing.sol";
import {DealMath} from "./libraries/DealMath.sol";
import {HourLanes} from "./libraries/HourLanes.sol";
import {Hours} from "./libraries/Hours.sol";
import {MarketCodes} from "./libraries/MarketCodes.sol";
import {Book, GridFactor, ScheduledChange, Settings} from "./libraries/MarketStorage.sol";
import {OrderPosting} from "./libraries/OrderPosting.sol";

/// @title CCEX market: orders, batch settlement into deals, and the deal lifecycle
/// @dev Money: the market's settlement-token balance always equals the open bids' escrow
/// (Σ remainingVcu × durationHours × limit) + the open deals' escrow + Σ withdrawable balances +
/// accrued fees. Certificates: the market holds none; it retires sold Wh from their suppliers when
/// deals finalise (forward delivery, docs/market-rules.md "Certificates").
contract Market is IMarket, AccessControl, Pausable, ReentrancyGuardTransient, Multicall {
    using SafeERC20 for IERC20;
    using HourLanes for mapping(uint256 => uint256);

    /// @inheritdoc IMarket
    bytes32 public constant MATCHER_ROLE = keccak256("MATCHER_ROLE");
    /// @inheritdoc IMarket
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @inheritdoc IMarket
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc IMarket
    uint16 public constant MAX_FEE_BPS = 1000;
    /// @inheritdoc IMarket
    uint16 public constant DEFAULT_GRID_FACTOR = BatchSettlement.DEFAULT_GRID_FACTOR;
    /// @inheritdoc IMarket
    /// @dev Two days: longer than a buyer needs to notice a scheduled change and cancel its open
    /// bids (cancelling works at any time), shorter than an operator can wait to fix a wrong factor.
    uint32 public constant PARAMETER_CHANGE_DELAY = 2 days;
    /// @inheritdoc IMarket
    uint16 public constant ENERGY_TOLERANCE_BPS = DealMath.ENERGY_TOLERANCE_BPS;
    /// @inheritdoc IMarket
    uint8 public constant HARDWARE_CLASS_COUNT = MarketCodes.HARDWARE_CLASS_COUNT;
    /// @inheritdoc IMarket
    uint8 public constant MAX_REGION = MarketCodes.MAX_REGION;
    /// @inheritdoc IMarket
    uint8 public constant MAX_GRID_AREA = MarketCodes.MAX_GRID_AREA;
    /// @inheritdoc IMarket
    uint16 public constant MAX_WINDOW_HOURS = uint16(Hours.MAX_WINDOW_HOURS);
    /// @inheritdoc IMarket
    uint16 public constant MAX_JOB_HOURS = uint16(Hours.MAX_JOB_HOURS);
    /// @inheritdoc IMarket
    uint16 public constant MAX_OFFER_HOURS = uint16(Hours.MAX_OFFER_HOURS);

    uint16 private constant _BPS = 10_000;

    IERC20 private immutable _settlementToken;
    IGreenCertificates private immutable _certificates;
    ICarbonCredits private immutable _credits;

    Settings private _settings;
    Book private _book;
    // Outside `_settings`, the one slot settlement reads, because only disputes need it; and outside
    // the deal terms, so that their digest and every client passing them back stay unchanged.
    uint32 private _arbitrationPeriod;
    // Fixed when a dispute opens, cleared when it closes.
    mapping(uint256 dealId => uint256) private _arbitrationDeadlines;
    mapping(Parameter parameter => mapping(uint256 key => ScheduledChange)) private _scheduledChanges;

    /// @notice Accounts that receive the roles at deployment.
    struct RoleHolders {
        address admin;
        address matcher;
        address arbiter;
        address pauser;
    }

    /// @param settlementToken_ the ERC-20 bids are escrowed and suppliers paid in
    /// @param certificates_ the green certificate registry (must grant this market its MARKET_ROLE)
    /// @param credits_ the carbon credit token (must grant this market its MARKET_ROLE)
    /// @param roles the accounts that receive DEFAULT_ADMIN_ROLE, MATCHER_ROLE, ARBITER_ROLE and PAUSER_ROLE
    /// @param settings treasury, fee and deal periods
    /// @param arbitrationPeriod_ seconds the arbiter has to resolve a dispute before anyone may
    /// finalise the deal as reported
    /// @param sourceFactors_ lifecycle emission factor of each generation source in gCO2e/kWh,
    /// indexed by EnergySource (docs/carbon-accounting.md); later changes go through the schedule
    constructor(
        IERC20 settlementToken_,
        IGreenCertificates certificates_,
        ICarbonCredits credits_,
        RoleHolders memory roles,
        Settings memory settings,
        uint32 arbitrationPeriod_,
        uint16[] memory sourceFactors_
    ) {
        _settlementToken = settlementToken_;
        _certificates = certificates_;
        _credits = credits_;
        _grantRole(DEFAULT_ADMIN_ROLE, roles.admin);
        _grantRole(MATCHER_ROLE, roles.matcher);
        _grantRole(ARBITER_ROLE, roles.arbiter);
        _grantRole(PAUSER_ROLE, roles.pauser);
        _setTreasury(settings.treasury);
        _setFee(settings.feeBps);
        _setDealPeriods(settings.challengePeriod, settings.reportGracePeriod);
        _setArbitrationPeriod(arbitrationPeriod_);
        uint256 sourceCount = uint256(type(IGreenCertificates.EnergySource).max) + 1;
        if (sourceFactors_.length != sourceCount) revert MarketInvalidSourceFactors(sourceFactors_.length, sourceCount);
        for (uint256 source = 0; source < sourceCount; ++source) {
            _setSourceFactor(IGreenCertificates.EnergySource(source), sourceFactors_[source]);
        }
    }

    // ─── Orders ──────────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarket
    function postComputeOffer(ComputeOfferParams calldata offer) external whenNotPaused returns (uint256 offerId) {
        return OrderPosting.postComputeOffer(_book, offer);
    }

    /// @inheritdoc IMarket
    function postEnergyOffer(
        EnergyOfferParams calldata offer
    ) external whenNotPaused nonReentrant returns (uint256 offerId) {
        return OrderPosting.postEnergyOffer(_book, _certificates, offer);
    }

    /// @inheritdoc IMarket
    function postBandwidthOffer(BandwidthOfferParams calldata offer) external whenNotPaused returns (uint256 offerId) {
        return OrderPosting.postBandwidthOffer(_book, offer);
    }

    /// @inheritdoc IMarket
    function postBid(BidParams calldata bid) external whenNotPaused nonReentrant returns (uint256 bidId) {
        return OrderPosting.postBid(_book, _settings, _settlementToken, bid);
    }

    /// @inheritdoc IMarket
    function postBidWithPermit(
        BidParams calldata bid,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant returns (uint256 bidId) {
        uint256 escrow = uint256(bid.vcu) * bid.durationHours * bid.limitPricePerVcuHour;
        // A permit front-run by someone else has already set the allowance; the transfer decides.
        // solhint-disable no-empty-blocks
        try
            IERC20Permit(address(_settlementToken)).permit(msg.sender, address(this), escrow, deadline, v, r, s)
        {} catch {}
        // solhint-enable no-empty-blocks
        return OrderPosting.postBid(_book, _settings, _settlementToken, bid);
    }

    /// @inheritdoc IMarket
    function cancelBid(uint256 bidId) external nonReentrant {
        Bid storage bid = _book.bids[bidId];
        uint256 remaining = bid.remainingVcu;
        if (remaining == 0) revert MarketOrderNotOpen(OrderKind.Bid, bidId);
        if (bid.buyer != msg.sender) revert MarketNotOrderOwner(OrderKind.Bid, bidId, msg.sender);
        uint256 refund = remaining * bid.durationHours * bid.limitPricePerVcuHour;
        bid.remainingVcu = 0;
        _settlementToken.safeTransfer(msg.sender, refund);
        emit BidCancelled(bidId, msg.sender, remaining, refund);
    }

    /// @inheritdoc IMarket
    function cancelComputeOffer(uint256 offerId) external {
        ComputeOffer storage offer = _book.computeOffers[offerId];
        if (offer.vcu == 0) revert MarketOrderNotOpen(OrderKind.ComputeOffer, offerId);
        if (offer.supplier != msg.sender) revert MarketNotOrderOwner(OrderKind.ComputeOffer, offerId, msg.sender);
        offer.vcu = 0;
        emit ComputeOfferCancelled(offerId, msg.sender);
    }

    /// @inheritdoc IMarket
    function cancelEnergyOffer(uint256 offerId) external {
        OrderPosting.cancelEnergyOffer(_book, offerId);
    }

    /// @inheritdoc IMarket
    function cancelBandwidthOffer(uint256 offerId) external {
        BandwidthOffer storage offer = _book.bandwidthOffers[offerId];
        if (offer.mbps == 0) revert MarketOrderNotOpen(OrderKind.BandwidthOffer, offerId);
        if (offer.supplier != msg.sender) revert MarketNotOrderOwner(OrderKind.BandwidthOffer, offerId, msg.sender);
        offer.mbps = 0;
        emit BandwidthOfferCancelled(offerId, msg.sender);
    }

    // ─── Settlement ──────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarket
    function settle(
        Match[] calldata matches
    ) external onlyRole(MATCHER_ROLE) whenNotPaused nonReentrant returns (uint256 dealsOpened) {
        return BatchSettlement.settle(_book, _certificates, matches);
    }

    // ─── Deals ───────────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarket
    function reportUsage(uint256 dealId, DealTerms calldata terms, UsageReport calldata report) external {
        bytes25 termsDigest_ = DealMath.termsDigest(terms);
        _dealIn(dealId, DealStatus.Active, termsDigest_);
        DealClosing.report(_book, dealId, termsDigest_, terms, report);
    }

    /// @inheritdoc IMarket
    function confirmUsage(uint256 dealId, DealTerms calldata terms, UsageReport calldata report) external nonReentrant {
        bytes25 digest = DealMath.reportDigest(DealMath.termsDigest(terms), report);
        Deal memory deal = _dealIn(dealId, DealStatus.Reported, digest);
        _requireParty(dealId, terms.buyer);
        // A flagged report may harm the energy and network suppliers, so the buyer cannot cut their
        // window to dispute it short by confirming early.
        if (deal.flagged) {
            uint256 challengeEnd = uint256(deal.since) + terms.challengePeriod;
            if (block.timestamp < challengeEnd) revert MarketChallengePeriodActive(dealId, challengeEnd);
        }
        emit UsageConfirmed(dealId, msg.sender);
        _close(dealId, digest, _BPS);
    }

    /// @inheritdoc IMarket
    function disputeUsage(
        uint256 dealId,
        DealTerms calldata terms,
        UsageReport calldata report,
        string calldata reason
    ) external {
        Deal memory deal = _dealIn(
            dealId,
            DealStatus.Reported,
            DealMath.reportDigest(DealMath.termsDigest(terms), report)
        );
        if (deal.flagged) {
            // Any party may take a flagged report to the arbiter at any time: nobody is left waiting
            // on a report that can no longer finalise unchallenged.
            if (msg.sender != terms.computeSupplier && !_isCounterparty(terms, msg.sender)) {
                revert MarketNotDealParty(dealId, msg.sender, terms.buyer);
            }
        } else {
            if (!_isCounterparty(terms, msg.sender)) revert MarketNotDealParty(dealId, msg.sender, terms.buyer);
            uint256 challengeEnd = uint256(deal.since) + terms.challengePeriod;
            if (block.timestamp >= challengeEnd) revert MarketChallengePeriodOver(dealId, challengeEnd);
        }
        uint256 arbitrationDeadline = block.timestamp + _arbitrationPeriod;
        _book.deals[dealId] = Deal({
            status: DealStatus.Disputed,
            flagged: deal.flagged,
            since: uint40(block.timestamp),
            digest: deal.digest
        });
        _arbitrationDeadlines[dealId] = arbitrationDeadline;
        emit DealDisputed(dealId, msg.sender, reason, arbitrationDeadline);
    }

    /// @inheritdoc IMarket
    function resolveDispute(
        uint256 dealId,
        DealTerms calldata terms,
        UsageReport calldata report,
        uint16 refundBps
    ) external onlyRole(ARBITER_ROLE) nonReentrant {
        bytes25 digest = DealMath.reportDigest(DealMath.termsDigest(terms), report);
        _dealIn(dealId, DealStatus.Disputed, digest);
        if (msg.sender == terms.computeSupplier || _isCounterparty(terms, msg.sender)) {
            revert MarketRoleHolderIsParty(dealId, msg.sender);
        }
        if (refundBps > _BPS) revert MarketInvalidRefundShare(refundBps);
        uint16 acceptedBps;
        // The bound above keeps the difference within 0..10,000.
        unchecked {
            acceptedBps = _BPS - refundBps;
        }
        delete _arbitrationDeadlines[dealId];
        emit DisputeResolved(dealId, msg.sender, refundBps);
        _close(dealId, digest, acceptedBps);
    }

    /// @inheritdoc IMarket
    function finalize(uint256 dealId, DealTerms calldata terms, UsageReport calldata report) external nonReentrant {
        Deal memory deal = _dealIn(
            dealId,
            DealStatus.Reported,
            DealMath.reportDigest(DealMath.termsDigest(terms), report)
        );
        uint256 challengeEnd = uint256(deal.since) + terms.challengePeriod;
        if (block.timestamp < challengeEnd) revert MarketChallengePeriodActive(dealId, challengeEnd);
        if (deal.flagged) revert MarketReportFlagged(dealId);
        _close(dealId, deal.digest, _BPS);
    }

    /// @inheritdoc IMarket
    function finalizeLapsedDispute(
        uint256 dealId,
        DealTerms calldata terms,
        UsageReport calldata report
    ) external nonReentrant {
        bytes25 digest = DealMath.reportDigest(DealMath.termsDigest(terms), report);
        _dealIn(dealId, DealStatus.Disputed, digest);
        uint256 arbitrationDeadline = _arbitrationDeadlines[dealId];
        if (block.timestamp < arbitrationDeadline) revert MarketArbitrationPeriodActive(dealId, arbitrationDeadline);
        delete _arbitrationDeadlines[dealId];
        emit DisputeLapsed(dealId);
        _close(dealId, digest, _BPS);
    }

    /// @inheritdoc IMarket
    function cancelNoShow(uint256 dealId, DealTerms calldata terms) external nonReentrant {
        Deal memory deal = _dealIn(dealId, DealStatus.Active, DealMath.termsDigest(terms));
        if (block.timestamp < terms.reportDeadline) revert MarketReportDeadlineNotReached(dealId, terms.reportDeadline);
        _book.deals[dealId] = Deal({
            status: DealStatus.Cancelled,
            flagged: false,
            since: uint40(block.timestamp),
            digest: deal.digest
        });
        _book.withdrawable[terms.buyer] += terms.escrow;
        emit DealCancelled(dealId, terms.buyer, terms.escrow);
    }

    /// @inheritdoc IMarket
    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = _book.withdrawable[msg.sender];
        if (amount == 0) revert MarketNothingToWithdraw(msg.sender);
        _book.withdrawable[msg.sender] = 0;
        _settlementToken.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /// @inheritdoc IMarket
    function withdrawFees() external nonReentrant returns (uint256 amount) {
        address treasury_ = _settings.treasury;
        amount = _book.accruedFees;
        if (amount == 0) revert MarketNothingToWithdraw(treasury_);
        _book.accruedFees = 0;
        _settlementToken.safeTransfer(treasury_, amount);
        emit FeesWithdrawn(treasury_, amount);
    }

    // ─── Administration ──────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarket
    function scheduleParameterChange(
        Parameter parameter,
        uint256 key,
        uint256 value
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        bool validKey =
            parameter == Parameter.GridFactor
                ? MarketCodes.isRegion(key)
                : parameter == Parameter.SourceFactor
                    ? key <= uint256(type(IGreenCertificates.EnergySource).max)
                    : key == 0;
        uint256 maxValue =
            parameter == Parameter.Fee
                ? MAX_FEE_BPS
                : parameter >= Parameter.GridFactor
                    ? type(uint16).max
                    : type(uint32).max;
        bool isPeriod = parameter != Parameter.Fee && parameter < Parameter.GridFactor;
        if (!validKey || value > maxValue || (isPeriod && value == 0)) {
            revert MarketInvalidParameter(parameter, key, value);
        }
        uint256 effectiveAt = block.timestamp + PARAMETER_CHANGE_DELAY;
        _scheduledChanges[parameter][key] = ScheduledChange({effectiveAt: uint40(effectiveAt), value: uint32(value)});
        emit ParameterChangeScheduled(parameter, key, value, effectiveAt);
    }

    /// @inheritdoc IMarket
    function cancelParameterChange(Parameter parameter, uint256 key) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_scheduledChanges[parameter][key].effectiveAt == 0) revert MarketNoScheduledChange(parameter, key);
        delete _scheduledChanges[parameter][key];
        emit ParameterChangeCancelled(parameter, key);
    }

    /// @inheritdoc IMarket
    function applyParameterChange(Parameter parameter, uint256 key) external {
        ScheduledChange memory change = _scheduledChanges[parameter][key];
        if (change.effectiveAt == 0) revert MarketNoScheduledChange(parameter, key);
        if (block.timestamp < change.effectiveAt) revert MarketChangeNotDue(parameter, key, change.effectiveAt);
        delete _scheduledChanges[parameter][key];
        // Every value was bounded to its parameter's range when it was scheduled.
        uint32 value = change.value;
        if (parameter == Parameter.Fee) {
            _setFee(uint16(value));
        } else if (parameter == Parameter.ChallengePeriod) {
            _setDealPeriods(value, _settings.reportGracePeriod);
        } else if (parameter == Parameter.ReportGracePeriod) {
            _setDealPeriods(_settings.challengePeriod, value);
        } else if (parameter == Parameter.ArbitrationPeriod) {
            _setArbitrationPeriod(value);
        } else if (parameter == Parameter.GridFactor) {
            _book.gridFactors[uint8(key)] = GridFactor({isSet: true, gCO2ePerKwh: uint16(value)});
            emit GridFactorSet(uint8(key), uint16(value));
        } else {
            _setSourceFactor(IGreenCertificates.EnergySource(key), uint16(value));
        }
    }

    /// @inheritdoc IMarket
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IMarket
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IMarket
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ─── Views ───────────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc IMarket
    function settlementToken() external view returns (IERC20) {
        return _settlementToken;
    }

    /// @inheritdoc IMarket
    function certificates() external view returns (IGreenCertificates) {
        return _certificates;
    }

    /// @inheritdoc IMarket
    function credits() external view returns (ICarbonCredits) {
        return _credits;
    }

    /// @inheritdoc IMarket
    function feeBps() external view returns (uint16) {
        return _settings.feeBps;
    }

    /// @inheritdoc IMarket
    function treasury() external view returns (address) {
        return _settings.treasury;
    }

    /// @inheritdoc IMarket
    function challengePeriod() external view returns (uint32) {
        return _settings.challengePeriod;
    }

    /// @inheritdoc IMarket
    function reportGracePeriod() external view returns (uint32) {
        return _settings.reportGracePeriod;
    }

    /// @inheritdoc IMarket
    function arbitrationPeriod() external view returns (uint32) {
        return _arbitrationPeriod;
    }

    /// @inheritdoc IMarket
    function gridFactorOf(uint8 region) external view returns (uint16) {
        return BatchSettlement.gridFactorOf(_book, region);
    }

    /// @inheritdoc IMarket
    function scheduledChangeOf(
        Parameter parameter,
        uint256 key
    ) external view returns (uint256 value, uint256 effectiveAt) {
        ScheduledChange memory change = _scheduledChanges[parameter][key];
        return (change.value, change.effectiveAt);
    }

    /// @inheritdoc IMarket
    function sourceFactorOf(IGreenCertificates.EnergySource source) external view returns (uint16) {
        return _book.sourceFactors[source];
    }

    /// @inheritdoc IMarket
    function bidOf(uint256 bidId) external view returns (Bid memory) {
        return _book.bids[bidId];
    }

    /// @inheritdoc IMarket
    function computeOfferOf(uint256 offerId) external view returns (ComputeOffer memory) {
        return _book.computeOffers[offerId];
    }

    /// @inheritdoc IMarket
    function energyOfferOf(uint256 offerId) external view returns (EnergyOffer memory) {
        return _book.energyOffers[offerId];
    }

    /// @inheritdoc IMarket
    function bandwidthOfferOf(uint256 offerId) external view returns (BandwidthOffer memory) {
        return _book.bandwidthOffers[offerId];
    }

    /// @inheritdoc IMarket
    function dealOf(uint256 dealId) external view returns (Deal memory deal) {
        deal = _book.deals[dealId];
        if (deal.digest == bytes25(0)) revert MarketUnknownDeal(dealId);
    }

    /// @inheritdoc IMarket
    function computeUsedOf(uint256 offerId, uint40 hourStart) external view returns (uint256) {
        return _book.computeUsed[offerId].get32(Hours.indexOf(hourStart));
    }

    /// @inheritdoc IMarket
    function bandwidthUsedOf(uint256 offerId, uint40 hourStart) external view returns (uint256) {
        return _book.bandwidthUsed[offerId].get32(Hours.indexOf(hourStart));
    }

    /// @inheritdoc IMarket
    function energyRemainingOf(uint256 offerId, uint40 hourStart) external view returns (uint256) {
        EnergyOffer memory offer = _book.energyOffers[offerId];
        if (hourStart < offer.firstHour) return 0;
        uint256 offset = (hourStart - offer.firstHour) / Hours.SECONDS_PER_HOUR;
        return offset < offer.hourCount ? _book.energyRemaining[offerId].get64(offset) : 0;
    }

    /// @inheritdoc IMarket
    function deviceHourOfferedOf(uint256 deviceId, uint40 hourStart) external view returns (uint256) {
        return _book.deviceHourOffered.get64((deviceId << 34) | Hours.indexOf(hourStart));
    }

    /// @inheritdoc IMarket
    function gridAreaOf(uint8 region) external pure returns (uint8) {
        return MarketCodes.gridAreaOf(region);
    }

    /// @inheritdoc IMarket
    function bidCount() external view returns (uint256) {
        return _book.counts.bids;
    }

    /// @inheritdoc IMarket
    function computeOfferCount() external view returns (uint256) {
        return _book.counts.computeOffers;
    }

    /// @inheritdoc IMarket
    function energyOfferCount() external view returns (uint256) {
        return _book.counts.energyOffers;
    }

    /// @inheritdoc IMarket
    function bandwidthOfferCount() external view returns (uint256) {
        return _book.counts.bandwidthOffers;
    }

    /// @inheritdoc IMarket
    function dealCount() external view returns (uint256) {
        return _book.counts.deals;
    }

    /// @inheritdoc IMarket
    function withdrawableOf(address account) external view returns (uint256) {
        return _book.withdrawable[account];
    }

    /// @inheritdoc IMarket
    function accruedFees() external view returns (uint256) {
        return _book.accruedFees;
    }

    /// @inheritdoc IMarket
    function termsDigest(DealTerms calldata terms) external pure returns (bytes25) {
        return DealMath.termsDigest(terms);
    }

    /// @inheritdoc IMarket
    function reportDigest(DealTerms calldata terms, UsageReport calldata report) external pure returns (bytes25) {
        return DealMath.reportDigest(DealMath.termsDigest(terms), report);
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IMarket).interfaceId || super.supportsInterface(interfaceId);
    }

    // ─── Internal ────────────────────────────────────────────────────────────────────────────────

    /// @dev Pays out, refunds, retires certificate Wh and mints credits: the end of every reported deal.
    /// Every caller is a deal action (dealId, terms, report, …) that has checked its terms and report
    /// against the deal's digest; the library reads them from this call's own calldata.
    function _close(uint256 dealId, bytes25 digest, uint16 acceptedBps) internal {
        DealClosing.close(_book, _certificates, _credits, dealId, digest, acceptedBps, msg.data);
    }

    /// @dev The stored deal, after checking that it exists, is in `status` and matches `digest`.
    function _dealIn(uint256 dealId, DealStatus status, bytes25 digest) internal view returns (Deal memory deal) {
        deal = _book.deals[dealId];
        if (deal.digest == bytes25(0)) revert MarketUnknownDeal(dealId);
        if (deal.status != status) revert MarketInvalidDealStatus(dealId, deal.status, status);
        if (deal.digest != digest) revert MarketDealDigestMismatch(dealId);
    }

    function _requireParty(uint256 dealId, address party) internal view {
        if (msg.sender != party) revert MarketNotDealParty(dealId, msg.sender, party);
    }

    /// @dev Whether `account` is the buyer or one of the deal's energy or network suppliers: the
    /// parties the compute supplier's report pays or charges, who may therefore dispute it.
    function _isCounterparty(DealTerms calldata terms, address account) internal pure returns (bool) {
        if (account == terms.buyer || (terms.bandwidthOfferId != 0 && account == terms.bandwidthSupplier)) {
            return true;
        }
        DealEnergyLot[] calldata lots = terms.energyLots;
        for (uint256 i = 0; i < lots.length; ++i) {
            if (account == lots[i].supplier) return true;
        }
        return false;
    }

    function _setFee(uint16 feeBps_) internal {
        if (feeBps_ > MAX_FEE_BPS) revert MarketFeeTooHigh(feeBps_, MAX_FEE_BPS);
        _settings.feeBps = feeBps_;
        emit FeeSet(feeBps_);
    }

    function _setTreasury(address treasury_) internal {
        if (treasury_ == address(0)) revert MarketInvalidTreasury(treasury_);
        _settings.treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    function _setDealPeriods(uint32 challengePeriod_, uint32 reportGracePeriod_) internal {
        if (challengePeriod_ == 0 || reportGracePeriod_ == 0) {
            revert MarketInvalidDealPeriods(challengePeriod_, reportGracePeriod_);
        }
        _settings.challengePeriod = challengePeriod_;
        _settings.reportGracePeriod = reportGracePeriod_;
        emit DealPeriodsSet(challengePeriod_, reportGracePeriod_);
    }

    function _setSourceFactor(IGreenCertificates.EnergySource source, uint16 gCO2ePerKwh) internal {
        _book.sourceFactors[source] = gCO2ePerKwh;
        emit SourceFactorSet(source, gCO2ePerKwh);
    }

    function _setArbitrationPeriod(uint32 arbitrationPeriod_) internal {
        if (arbitrationPeriod_ == 0) revert MarketInvalidArbitrationPeriod(arbitrationPeriod_);
        _arbitrationPeriod = arbitrationPeriod_;
        emit ArbitrationPeriodSet(arbitrationPeriod_);
    }
}
