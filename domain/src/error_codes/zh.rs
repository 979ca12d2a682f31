//! The Chinese words of each code: a short title and one sentence, for problem documents
//! and field errors answered in Chinese (the product's default language). Kept apart from the
//! catalogue so a code can be added there in one line; the test below lists every code that
//! still lacks its Chinese here.

use super::ErrorCode;

/// The Chinese title and sentence of `code`, `None` for a code not translated yet.
// The wildcard keeps a code just added to the catalogue compiling before its words exist
// (the test `every_code_has_chinese_words` names it); once all are here it is unreachable.
#[allow(unreachable_patterns)]
pub(super) fn words(code: ErrorCode) -> Option<(&'static str, &'static str)> {
    use ErrorCode as C;
    Some(match code {
        C::AccountDisabled => ("账号已停用", "该账号已被停用"),
        C::AccountExists => ("账号已存在", "该手机号或邮箱已注册过账号"),
        C::ActionNotApplicable => ("处理方式不适用", "下架只适用于针对岗位或班次的投诉"),
        C::AfterStart => ("截止时间有误", "截止时间必须早于开始时间"),
        C::AlreadyAnswered => ("心愿已处理", "这个心愿已经完成或被婉拒了"),
        C::AlreadyApplied => ("已经投递过", "你已经投递过这个岗位了"),
        C::AlreadyCancelled => ("已经取消", "已经取消过了"),
        C::AlreadyCheckedIn => ("已经签到", "你已经为这个班次签到过了"),
        C::AlreadyClaimed => ("已经报名", "你已经报名了这个班次"),
        C::AlreadyInvited => ("已经邀请过", "已经邀请过这位求职者来看这个岗位了"),
        C::AlreadyMember => ("已是成员", "这个账号已经是成员了"),
        C::AlreadyRated => ("已经评价", "你已经评价过这个班次了"),
        C::AlreadyRegistered => ("已经报名", "你已经报名了这场培训"),
        C::AlreadyReported => (
            "已经举报过",
            "你已经举报过这条消息或这段沟通，工作人员会尽快处理",
        ),
        C::AlreadyResolved => ("举报已处理", "这条举报已经处理过了"),
        C::AlreadySettled => ("兑换已处理", "这笔兑换已经发放或取消了"),
        C::Ambiguous => (
            "填写有歧义",
            "请从几个选项中只填一个，不要同时填写或只填一部分",
        ),
        C::AmbiguousLogin => ("登录方式有歧义", "请填写手机号或邮箱其中一个，不要同时填写"),
        C::ApplicationAnonymised => ("投递记录已匿名", "这条投递已超过保存期限，只保留匿名记录"),
        C::BelowMinimumWage => ("低于最低工资", "薪资低于本市现行最低工资标准"),
        C::BoothAlreadyRequested => ("已申请展位", "这家商家在本场招聘会已经有展位了"),
        C::BoothAlreadyReviewed => ("展位已审核", "这个展位已经审核通过或被拒绝了"),
        C::BoothNotApproved => ("展位未通过", "这个展位还没有审核通过"),
        C::BoothRejected => ("展位已被拒绝", "被拒绝的展位不能再修改"),
        C::BoundaryCrossing => ("边界交叉", "边界线自相交叉，请沿边界依次列出各点"),
        C::BoundaryEmpty => ("边界无面积", "边界没有围出区域（各点是否在一条直线上？）"),
        C::BoundaryTooLong => ("边界点过多", "边界最多 500 个点"),
        C::BoundaryTooShort => ("边界点太少", "边界至少需要三个点"),
        C::BusinessNotSuspended => ("商户未被暂停", "这家商户目前没有被暂停"),
        C::BusinessNotVerified => ("商家未认证", "只有认证过的商家才能申请展位"),
        C::BusinessSuspended => (
            "商户已被暂停",
            "这家商户因投诉成立已被暂停，解除暂停前不能发布岗位",
        ),
        C::Busy => ("系统繁忙", "同时验证密码的人太多，请稍后再试"),
        C::CannotCancel => ("无法取消", "已经过了可以取消报名的时间"),
        C::CheckinClosed => ("签到已结束", "这个班次的签到已经结束，商家仍可为你确认工时"),
        C::CheckinNotOpen => ("签到未开始", "这个班次还没到签到时间"),
        C::CodeDailyLimit => (
            "今日验证码已达上限",
            "今天发送到该号码或邮箱的验证码已达上限，请明天再试",
        ),
        C::CodeResendTooSoon => ("发送太频繁", "验证码刚刚发送过，请稍后再试"),
        C::ComplaintClosed => ("投诉已办结", "这条投诉已经有处理结果了"),
        C::ContentRisky => (
            "内容不合规",
            "这段文字未通过微信内容安全检测，请修改后再提交",
        ),
        C::ConversationBlocked => ("沟通已被屏蔽", "一方已屏蔽对方，双方都不能再发送消息"),
        C::ConversationsSuspended => (
            "暂停发起沟通",
            "你的消息被标记为疑似诈骗或经举报核实违规，暂时不能发起新的沟通",
        ),
        C::DatabaseUnavailable => ("服务暂时不可用", "暂时无法连接数据库，请稍后再试"),
        C::DateInPast => ("日期已过", "日期不能早于今天"),
        C::DateTooFar => ("日期太远", "日期必须在一年以内"),
        C::DeadlinePassed => ("报名已截止", "报名截止时间已过，请先修改截止时间"),
        C::DeliveryFailed => ("发送失败", "短信或邮件服务没有接收这条消息，请稍后再试"),
        C::DiscriminatoryRequirement => {
            ("存在歧视性要求", "招聘要求中有公平就业规定不允许的限制条件")
        }
        C::DisputeWindowClosed => ("申诉期已过", "工时已经不能再申诉了"),
        C::DistrictNameTaken => ("片区名称重复", "已有其他片区使用这个名称"),
        C::Duplicate => ("重复", "同一项填写了两次"),
        C::DuplicateCredential => (
            "证书重复",
            "有证书重复填写了（同一证书的不同叫法算作同一个）",
        ),
        C::Empty => (
            "没有内容",
            "填写的内容不会产生任何结果（例如规则里没有未来的班次）",
        ),
        C::EmptyRange => ("时间范围为空", "结束时间必须晚于开始时间"),
        C::EmptyWindow => (
            "时间段为空",
            "时间段必须有时长；全天开放请填 00:00 到 24:00",
        ),
        C::FairNotDraft => ("招聘会不可修改", "只有草稿状态的招聘会才能修改"),
        C::FairNotOpen => ("招聘会未开放", "招聘会目前不开放此操作"),
        C::FavouritesOnly => ("仅限熟客", "这个班次目前只对商家的常用工人开放"),
        C::FieldNotForKind => ("字段与消息类型不符", "这种消息不带这个字段"),
        C::ConsoleFormExpired => (
            "表单已失效",
            "表单缺少防伪令牌或令牌不对，请刷新页面后重新提交",
        ),
        C::Forbidden => ("没有权限", "你的身份或与该对象的关系不允许这样操作"),
        C::HeadersTooLarge => ("请求头过大", "请求头字段太多或内容太大"),
        C::HoursSettled => ("工时已结算", "工时已经结算过了"),
        C::IdentityAlreadyUsed => ("身份证号已被使用", "这个身份证号已经认证过另一个账号"),
        C::IdentityAlreadyVerified => ("已完成实名认证", "这个账号已经完成实名认证"),
        C::IdentityMismatch => (
            "姓名与身份证号不一致",
            "核验服务显示姓名和身份证号不匹配，请检查后重试",
        ),
        C::IdentityNotFound => ("查无此身份证号", "核验服务没有这个身份证号的记录"),
        C::IdentityProviderUnavailable => (
            "核验服务暂不可用",
            "身份核验服务暂时无法访问，未作记录，请稍后再试",
        ),
        C::IllegalTransition => ("状态不允许", "当前状态下不能做这个修改"),
        C::InTheFuture => ("时间不对", "时间不能晚于现在"),
        C::InThePast => ("时间已过", "时间不能早于现在"),
        C::IncompleteLocation => ("位置不完整", "经度和纬度要么都填，要么都不填"),
        C::IncompletePay => ("期望薪资不完整", "期望薪资和计薪方式要么都填，要么都不填"),
        C::IncompleteQuietHours => (
            "免打扰时段不完整",
            "免打扰的开始和结束时间要么都填，要么都不填",
        ),
        C::InsufficientPoints => ("积分不足", "积分余额不够"),
        C::Internal => ("服务器出错了", "服务器出了点问题，我们已记录下来"),
        C::InternalAddress => ("地址不允许", "回调地址不能指向内部网络"),
        C::InvalidAction => (
            "操作名无效",
            "操作名只能用小写字母、数字和下划线，例如 read_profile",
        ),
        C::InvalidBody => ("请求无法读取", "无法读取请求内容"),
        C::InvalidCharacters => ("含有非法字符", "不能包含控制字符"),
        C::InvalidCode => (
            "验证码错误",
            "验证码不对：请填写短信或邮件里的六位数字，或现场展示的签到码",
        ),
        C::InvalidCredentials => ("登录失败", "账号或密码不正确"),
        C::InvalidCursor => ("翻页参数无效", "翻页参数不是本服务发出的"),
        C::InvalidDate => ("日期格式不对", "日期格式应为 YYYY-MM-DD"),
        C::InvalidEmail => (
            "邮箱格式不对",
            "请填写正确的邮箱地址，例如 name@example.com",
        ),
        C::InvalidField => ("字段不正确", "请求里有字段的类型或取值不对"),
        C::InvalidIdNumber => (
            "身份证号不对",
            "请填写 18 位居民身份证号，出生日期和校验位需正确",
        ),
        C::InvalidJson => ("格式错误", "请求内容不是有效的 JSON"),
        C::InvalidLicence => ("营业执照号不对", "请填写 18 位统一社会信用代码"),
        C::InvalidMonth => ("月份格式不对", "月份格式应为 YYYY-MM"),
        C::InvalidPhone => ("手机号不对", "请填写 11 位大陆手机号，以 13 到 19 开头"),
        C::InvalidQuarter => ("季度格式不对", "季度格式应为 2026Q4 这样"),
        C::InvalidQuery => (
            "查询参数有误",
            "查询参数超出范围、类型不对或无法识别，详见 errors",
        ),
        C::InvalidRefreshToken => ("登录已失效", "刷新令牌无效、已过期或已被注销，请重新登录"),
        C::InvalidSlots => ("时段无效", "填写的时段不正确"),
        C::InvalidStatus => ("状态无效", "不是允许的状态之一"),
        C::InvalidTime => (
            "时间格式不对",
            "请填写日期（如 2026-11-26）或 RFC 3339 格式的时间",
        ),
        C::InvalidToken => ("令牌无效", "令牌无效，或对应的账号已不存在"),
        C::InvalidTransition => ("状态不允许", "这条上报当前的状态不允许这样修改"),
        C::InvalidType => ("类型不对", "填写的值类型不对"),
        C::InvalidUrl => ("网址不对", "请填写以 http:// 或 https:// 开头的网址"),
        C::InvalidUuid => ("编号格式不对", "编号应为 UUID 格式"),
        C::InvalidWeek => ("周格式不对", "周的格式应为 2026-W48 这样"),
        C::InvalidWord => ("词语无效", "词语为空、太长，或含有控制字符或空格"),
        C::LicenceChecksum => (
            "统一社会信用代码校验位不对",
            "代码的最后一位校验码不符，可能有字符输错了",
        ),
        C::LicencePhotoMissing => ("缺少营业执照照片", "请先上传营业执照照片，再由工作人员认证"),
        C::LocationTooInaccurate => ("定位不够准", "当前定位不够准确，无法签到"),
        C::MalformedRequest => ("请求格式错误", "请求行或请求头不符合 HTTP/1.1 规范"),
        C::MethodNotAllowed => (
            "不支持的请求方法",
            "这个路径不支持该请求方法，Allow 头列出了支持的方法",
        ),
        C::MinimumWageExists => (
            "最低工资已登记",
            "这个城市在这一生效日期的最低工资已经登记过，请以更晚的日期新增一条",
        ),
        C::Missing => ("缺少内容", "缺少必填的部分"),
        C::MissingField => ("缺少字段", "请求缺少必填字段"),
        C::MissingToken => (
            "请先登录",
            "这个接口需要访问令牌（Authorization: Bearer …）",
        ),
        C::NeedsPoint => ("缺少位置", "按距离范围查找需要同时提供纬度和经度"),
        C::NoApplication => (
            "没有进行中的申请",
            "面试邀请需要求职者对该岗位有进行中的申请",
        ),
        C::NoBoothsLeft => ("展位已满", "会场的展位都已分配完了"),
        C::NoConversationGrounds => (
            "不能发起沟通",
            "商家只能和投递、受邀、匹配到该岗位的求职者或常用零工沟通",
        ),
        C::NoFollowUp => ("没有待跟进事项", "这条记录没有需要标记完成的跟进"),
        C::NoSuchMerchant => ("找不到商家", "没有使用这个手机号或邮箱的商家账号"),
        C::NoSuchSeeker => ("找不到求职者", "没有使用这个手机号或邮箱的求职者账号"),
        C::NotAGig => ("不是零工岗位", "只有零工类岗位才有班次和预约选项"),
        C::NotAWebsocket => ("需要 WebSocket 连接", "这个接口只接受 WebSocket 升级请求"),
        C::NotAllowed => ("不允许填写", "这里不允许填写这个字段"),
        C::NotAnImage => ("不是图片", "请上传 JPEG、PNG 或 WebP 格式的照片"),
        C::NotAnOfficer => ("不是工作人员", "只有工作人员账号才能分配片区"),
        C::NotAtBooth => ("不在本展位", "不是这个展位的岗位"),
        C::NotAudio => (
            "不是语音",
            "请上传语音文件（MP3、AAC、M4A、AMR、SILK、WAV 或 Ogg）",
        ),
        C::NotCheckedIn => ("未签到", "只有已签到且工时未结算的班次才能签退"),
        C::NotCompleted => ("班次未完成", "班次完成后才能评价"),
        C::NotConfirmed => ("报名未确认", "只有已确认的报名才能签到"),
        C::NotDisputable => (
            "无法申诉",
            "只有已结算的工时或缺勤记录可以申诉，且只能申诉一次",
        ),
        C::NotDisputed => ("没有申诉", "只能处理有申诉的工时"),
        C::NotForThisSide => ("不能发送这种消息", "你在这段沟通里不能发送这种消息"),
        C::NotFound => ("找不到该资源", "找不到该资源，或者你无权查看"),
        C::NotPending => ("报名不在待处理状态", "这条报名不是待处理状态"),
        C::NotReady => ("服务还没准备好", "服务正在启动，请稍后再试"),
        C::NotRegistered => ("尚未报名", "请先报名招聘会，再到展位投递"),
        C::NotWorked => ("没有工时", "这条报名没有可确认的工时"),
        C::NotWorkedHere => (
            "未在本店工作过",
            "只有在本店完成过班次的工人才能设为常用工人",
        ),
        C::NothingToReport => ("没有可举报的内容", "对方在这段沟通里还没有发过消息"),
        C::OutOfRange => ("超出范围", "填写的值超出了允许范围"),
        C::OutOfStock => ("已兑完", "这个奖品已经兑换完了"),
        C::OutsideGeofence => ("不在签到范围内", "你离工作地点太远，无法签到"),
        C::OutsideSession => (
            "不在签到时间",
            "签到在培训开始前一小时开放，结束后一小时关闭",
        ),
        C::OutsideYourDistricts => ("不在负责片区", "这个地点不在你负责的片区内"),
        C::OverlappingClaim => ("时间冲突", "你在这个时间已经有其他班次了"),
        C::OwnMessage => ("不能举报自己", "只能举报对方的消息，不能举报自己发的消息"),
        C::OwnerCannotLeave => ("负责人不能退出", "店铺负责人不能把自己移出"),
        C::OwnerNotVerified => ("负责人未实名认证", "店铺负责人完成实名认证后才能认证店铺"),
        C::PayloadTooLarge => ("内容太大", "请求内容超过了允许的大小"),
        C::PlacesBelowClaims => ("名额不能减少", "班次名额不能少于已报名的人数"),
        C::PhoneTaken => ("手机号已被使用", "这个手机号已绑定其他账号，请换一个号码"),
        C::PostingExpired => ("岗位已过期", "这个岗位已过期，请先设置新的有效期"),
        C::PostingFinal => ("岗位已结束", "已关闭或已招满的岗位不能再加班次"),
        C::PostingNotOpen => ("岗位未开放", "只有认证商家正在招聘的岗位才能邀请"),
        C::PostingScreened => (
            "疑似招聘诈骗",
            "职位内容含有向求职者收费、刷单、招转培或贷款等违规内容",
        ),
        C::ProfileRequired => ("请先完善资料", "请先填写个人资料，路线要根据资料来规划"),
        C::ProposalAccepted => ("已接受该邀请", "这条面试邀请已经接受过了"),
        C::RateLimited => ("操作太频繁", "操作太频繁，请稍后再试"),
        C::RatingWindowClosed => ("评价期已过", "这个班次已经不能再评价了"),
        C::ReasonRequired => ("需要填写原因", "请填写原因"),
        C::RebuildRunning => ("正在重建", "已经有重建任务在进行中"),
        C::RefreshTokenReused => (
            "登录已失效",
            "这个刷新令牌已经用过，该账号的所有登录都已注销",
        ),
        C::RegistrationCancelled => ("报名已取消", "这条报名已经取消了"),
        C::RegistrationClosed => ("报名已关闭", "这场培训已取消或已经开始"),
        C::RegistrationNotActive => ("报名无效", "这条报名不是有效状态"),
        C::ReportClosed => ("上报已结案", "这条上报已经处理完毕或被驳回"),
        C::ReportClosedForFiles => ("不能再加附件", "上报派单之前才能添加附件"),
        C::ReportIsDuplicate => ("重复上报", "这条上报已关联到之前的一条，请派发那一条"),
        C::ReportNotWaiting => ("上报不在待派单状态", "只有等待派单的上报才能驳回"),
        C::RequestTimeout => ("请求超时", "请求头没有按时送达"),
        C::Required => ("必填", "这一项必须填写"),
        C::ReviewResolved => ("审核已处理", "这条内容审核已经处理过了"),
        C::RoleNotAllowed => (
            "不能注册该身份",
            "注册只能创建求职者或商家账号，工作人员由管理员添加",
        ),
        C::RouteNotFound => ("找不到该接口", "没有这个接口地址"),
        C::SessionFull => ("名额已满", "这场培训的名额已经报满了"),
        C::SessionStarted => ("培训已开始", "已经开始的培训不能取消"),
        C::ShiftCancelled => ("班次已取消", "这个班次已经取消了"),
        C::ShiftFull => ("班次已满", "这个班次的名额已经报满了"),
        C::ShiftStarted => ("班次已开始", "这个班次已经开始了"),
        C::TokenExpired => ("令牌已过期", "令牌已过期"),
        C::TokenForeign => ("令牌不匹配", "这个令牌属于别的对象"),
        C::TokenMalformed => ("令牌无效", "这不是 Doorstep 发出的令牌"),
        C::TokenNotYetValid => ("令牌尚未生效", "访问令牌还没到生效时间"),
        C::TokenRevoked => (
            "登录已失效",
            "账号信息在令牌发出后有变动，请刷新令牌或重新登录",
        ),
        C::TokenTampered => ("令牌被篡改", "令牌签名不符，内容被改动过"),
        C::TokenWrongPurpose => ("令牌用途不对", "这不是该类签到用的令牌"),
        C::TooFar => ("日期太远", "日期太靠后了"),
        C::TooLarge => ("文件太大", "文件太大了"),
        C::TooLong => ("内容太长", "填写的内容太长了"),
        C::TooMany => ("条目太多", "填写的条目太多了"),
        C::TooManyAttempts => ("错误次数过多", "验证码错误次数过多，请用定位签到或联系商家"),
        C::TooManyEndpoints => ("回调地址已达上限", "商家的回调地址数量已达上限"),
        C::TooManyEntries => ("词条已达上限", "词库保存的词条数量已达上限"),
        C::TooManyFiles => ("附件已达上限", "这条上报的同类附件数量已达上限"),
        C::TooShort => ("内容太短", "填写的内容太短了"),
        C::UnknownAccount => ("找不到账号", "没有这个账号"),
        C::UnknownAmenity => ("未知设施", "不是已知的设施类型"),
        C::UnknownCategory => ("未知类别", "不是已知的类别"),
        C::UnknownCoordSystem => ("坐标系无效", "坐标系只能是 wgs84（默认）或 gcj02"),
        C::UnknownCredential => ("未知证书", "证书必须是已知的证书（急救证、消防证等）"),
        C::UnknownDepartment => ("找不到部门", "没有这个部门"),
        C::UnderReview => ("内容审核中", "社区工作人员正在审核这段内容，通过后才能公开"),
        C::UnknownField => ("多余的字段", "请求里有这个接口不接受的字段"),
        C::UnknownKind => ("未知类型", "不是已知的类型"),
        C::UnknownMessage => ("消息不存在", "沟通里没有这条消息"),
        C::UnknownPosting => ("不是本店岗位", "不是这家商家的岗位"),
        C::UnknownQuickReply => ("不是快捷回复", "不是你这一方可用的快捷回复"),
        C::UnknownSchedule => ("未知排班", "不是已知的排班选项"),
        C::UnknownStation => ("找不到站点", "没有这个站点"),
        C::UnknownTemplate => ("未知的消息模板", "这个订阅消息模板不是本平台发送的"),
        C::UnknownTag => ("未知标签", "不是允许使用的标签"),
        C::UnsupportedMediaType => ("内容类型不支持", "这个接口不接受该类型的请求内容"),
        C::ValidationFailed => ("填写有误", "有内容填写不符合要求，详见 errors"),
        C::WeakPassword => ("密码太简单", "密码不符合安全要求"),
        C::WechatAlreadyBound => ("已绑定微信", "这个账号已绑定了另一个微信，请先解除绑定"),
        C::WechatBusy => ("微信繁忙", "微信服务繁忙，请稍后再试"),
        C::WechatCodeInvalid => (
            "微信凭证无效",
            "微信登录凭证无效、已过期或已使用，请重新授权",
        ),
        C::WechatNotConfigured => ("未开通微信", "本服务未开通微信小程序功能"),
        C::WechatOnlyLogin => (
            "无法解除绑定",
            "微信是这个账号唯一的登录方式，请先验证手机号再解除绑定",
        ),
        C::WechatRateLimited => ("微信调用过于频繁", "微信接口调用过于频繁，请稍后再试"),
        C::WechatTaken => ("微信已被绑定", "这个微信已绑定其他账号"),
        C::WechatUnavailable => ("微信暂不可用", "暂时无法连接微信服务，请稍后再试"),
        C::WrongPassword => ("原密码不正确", "当前密码填写错误，请重新输入"),
        C::WrongCount => ("词数不对", "词语太少或太多"),
        C::WrongShape => ("格式不对", "这一项的键与它的类型不相符"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_chinese_words() {
        let missing: Vec<&str> = ErrorCode::ALL
            .iter()
            .filter(|code| words(**code).is_none())
            .map(|code| code.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "codes without Chinese words in domain/src/error_codes/zh.rs: {}",
            missing.join(", ")
        );
        for code in ErrorCode::ALL {
            let (title, sentence) = words(*code).unwrap();
            assert!(!title.is_empty() && !sentence.is_empty(), "{code}");
            // Chinese sentences carry no full stop: they are also the field messages.
            assert!(!sentence.ends_with('。'), "{code}: {sentence}");
        }
    }
}
